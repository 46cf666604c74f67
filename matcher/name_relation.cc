#include "matcher/name_relation.h"

#include <string>

#include "matcher/comparison.h"
#include "normalizer/name_kanji.h"
#include "normalizer/similarity.h"
#include "normalizer/utf8.h"
#include "normalizer/variant_kanji.h"

namespace kuromaru::matcher {
namespace {

namespace nz = ::kuromaru::normalizer;

// Decodes valid UTF-8 into a per-thread buffer (slot 0..3), so that comparing
// allocates nothing once the buffers have grown.
std::u32string_view Decode(std::string_view text, int slot) {
  thread_local std::u32string buffers[4];
  std::u32string& out = buffers[slot];
  out.clear();
  // Keys come out of the normalizer: valid UTF-8.
  (void)nz::ForEachCodePoint(text, [&out](char32_t c, size_t, size_t) {
    out.push_back(c);
    return absl::OkStatus();
  });
  return out;
}

bool CharsCompatible(char32_t x, char32_t y) {
  return x == y || x == nz::kNameWildcard || y == nz::kNameWildcard ||
         nz::FoldVariant(x) == nz::FoldVariant(y);
}

// Equal lengths and every position compatible (equal, variant-equal or ●).
bool KanjiCompatible(std::u32string_view a, std::u32string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!CharsCompatible(a[i], b[i])) return false;
  }
  return true;
}

// The shortest given name taken as evidence, in code points: with the split
// known on both sides even a one-kanji given name (薫, 豊) is; against a name
// whose split is unknown, one character is any name ending in 子.
constexpr size_t kMinGivenBothSplit = 1;
constexpr size_t kMinGivenOneSplit = 2;

// `given` (split known) against the whole of `other` (split unknown): does
// `other` end with a compatible given name after a surname unlike `surname`?
template <typename Same>
bool EndsWithGiven(std::u32string_view surname, std::u32string_view given,
                   std::u32string_view other, Same same) {
  if (given.size() < kMinGivenOneSplit || other.size() <= given.size()) {
    return false;
  }
  const std::u32string_view tail = other.substr(other.size() - given.size());
  const std::u32string_view head = other.substr(0, other.size() - given.size());
  return same(tail, given) && !same(head, surname);
}

// Given names agree and surnames differ, with the split known on at least one
// side. Keys are decoded into slots 0..3.
template <typename Same>
bool SurnameChanged(std::string_view a_key, std::string_view a_surname,
                    std::string_view b_key, std::string_view b_surname,
                    Same same) {
  const std::string_view a_given = GivenPart(a_key, a_surname);
  const std::string_view b_given = GivenPart(b_key, b_surname);
  if (a_given.empty() && b_given.empty()) return false;
  const std::u32string_view as = Decode(a_surname, 0);
  const std::u32string_view ag = Decode(a_given, 1);
  const std::u32string_view bs = Decode(b_surname, 2);
  const std::u32string_view bg = Decode(b_given, 3);
  if (!a_given.empty() && !b_given.empty()) {
    return ag.size() >= kMinGivenBothSplit && same(ag, bg) && !same(as, bs);
  }
  if (!a_given.empty()) {
    return EndsWithGiven(as, ag, Decode(b_key, 2), same);
  }
  return EndsWithGiven(bs, bg, Decode(a_key, 0), same);
}

}  // namespace

std::string_view GivenPart(std::string_view key, std::string_view surname) {
  if (surname.empty() || surname.size() >= key.size()) return {};
  return key.substr(surname.size());
}

bool KanjiKeyIsKana(std::string_view kanji_key) {
  if (kanji_key.empty()) return false;
  bool all_kana = true;
  (void)nz::ForEachCodePoint(kanji_key, [&](char32_t c, size_t, size_t) {
    if (c < 0x3041 || c > 0x30FF) all_kana = false;
    return absl::OkStatus();
  });
  return all_kana;
}

bool KanaSurnameChanged(const PersonView& a, const PersonView& b) {
  return SurnameChanged(
      a.kana_key, a.kana_surname, b.kana_key, b.kana_surname,
      [](std::u32string_view x, std::u32string_view y) { return x == y; });
}

bool KanjiSurnameChanged(const PersonView& a, const PersonView& b) {
  return SurnameChanged(a.kanji_key, a.kanji_surname, b.kanji_key,
                        b.kanji_surname, KanjiCompatible);
}

namespace {

// Where the split is unknown on a side, two different names may still share
// their given name: they end alike (the last `suffix` code points). Siblings
// end alike too (佐藤花子 / 佐藤桃子), which is why this is only ever "maybe".
template <typename Same>
bool EndsAlike(std::string_view a_key, std::string_view a_surname,
               std::string_view b_key, std::string_view b_surname,
               size_t suffix, Same same) {
  if (!a_surname.empty() && !b_surname.empty()) return false;
  const std::u32string_view x = Decode(a_key, 0);
  const std::u32string_view y = Decode(b_key, 1);
  if (x.size() <= suffix || y.size() <= suffix) return false;
  return same(x.substr(x.size() - suffix), y.substr(y.size() - suffix));
}

bool Equal(std::u32string_view x, std::u32string_view y) { return x == y; }

}  // namespace

NameRelation KanaRelation(const PersonView& a, const PersonView& b) {
  if (a.kana_key.empty() || b.kana_key.empty()) return NameRelation::kUnknown;
  if (a.kana_loose_key == b.kana_loose_key) return NameRelation::kSame;
  if (KanaSurnameChanged(a, b)) return NameRelation::kSurnameChanged;
  // With one surname on both sides, only the given names can be near: a long
  // shared surname would make siblings look alike.
  std::string_view x = a.kana_key, y = b.kana_key;
  if (!a.kana_surname.empty() && a.kana_surname == b.kana_surname) {
    x = GivenPart(x, a.kana_surname);
    y = GivenPart(y, b.kana_surname);
  }
  if (nz::JaroWinkler(Decode(x, 0), Decode(y, 1)) >= kKanaNear) {
    return NameRelation::kNear;
  }
  // Two kana of a given name: one (コ) ends half the women's names.
  if (EndsAlike(a.kana_key, a.kana_surname, b.kana_key, b.kana_surname, 2,
                Equal)) {
    return NameRelation::kMaybeSurnameChanged;
  }
  return NameRelation::kDifferent;
}

NameRelation KanjiRelation(const PersonView& a, const PersonView& b) {
  if (a.kanji_key.empty() || b.kanji_key.empty() ||
      KanjiKeyIsKana(a.kanji_key) || KanjiKeyIsKana(b.kanji_key)) {
    return NameRelation::kUnknown;
  }
  switch (nz::CompareKanjiKeys(a.kanji_key, a.kanji_loose_key, b.kanji_key,
                               b.kanji_loose_key)) {
    case nz::NameMatch::kExact:
    case nz::NameMatch::kExactAfterFolding:
      return NameRelation::kSame;
    case nz::NameMatch::kWildcardCompatible:
      return NameRelation::kWildcard;
    case nz::NameMatch::kDifferent:
      break;
  }
  if (KanjiSurnameChanged(a, b)) return NameRelation::kSurnameChanged;
  if (nz::EditDistance(Decode(a.kanji_loose_key, 0),
                       Decode(b.kanji_loose_key, 1)) <= 1) {
    return NameRelation::kNear;
  }
  if (EndsAlike(a.kanji_loose_key, a.kanji_surname, b.kanji_loose_key,
                b.kanji_surname, 1, KanjiCompatible)) {
    return NameRelation::kMaybeSurnameChanged;
  }
  return NameRelation::kDifferent;
}

NameRelation Confirm(NameRelation relation, NameRelation other) {
  if (relation == NameRelation::kMaybeSurnameChanged &&
      other == NameRelation::kSurnameChanged) {
    return NameRelation::kSurnameChanged;
  }
  return relation;
}

}  // namespace kuromaru::matcher
