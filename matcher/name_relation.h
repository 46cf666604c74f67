// How two written forms of a person's name relate, script by script, when
// either may be blank, written without a space, or carry a different surname.
//
//   NameRelation kana = KanaRelation(a, b);    // over PersonView kana keys
//   NameRelation kanji = KanjiRelation(a, b);  // over kanji keys
//   if (kana == NameRelation::kSurnameChanged) …  // 婚姻: same given name
//
// Insurers keep names differently: one leaves the kana blank, one writes the
// kanji field in katakana, one drops the space between surname and given
// name, one keeps a variant kanji or the ● the national system relays. The
// relation is therefore taken per script, and kUnknown when a script is
// blank on either side (or the kanji field holds kana): it says nothing,
// rather than disagreeing.
//
// A surname change (marriage, adoption, divorce) keeps the given name. It is
// recognised when the given names agree and the surnames do not: with the
// split known on both sides, or on one side when the other's whole key ends
// with that given name (then at least two code points long).
//
// Pure and thread-safe.
#ifndef KUROMARU_MATCHER_NAME_RELATION_H_
#define KUROMARU_MATCHER_NAME_RELATION_H_

#include <string_view>

#include "matcher/person.h"

namespace kuromaru::matcher {

enum class NameRelation {
  kSame,      // equal after folding (kana: loose keys; kanji: exact or
              // variant-folded)
  kWildcard,  // kanji equal where no ● hides a character: compatible with
              // every name that has any character there
  kSurnameChanged,  // given names agree, surnames differ
  kNear,  // kana Jaro–Winkler >= 0.92 (of the given names when the surnames
          // agree); kanji one edit apart
  // The split is unknown on a side and the names end alike (two kana, one
  // kanji): perhaps a surname change the script cannot show by itself (no
  // space, a one-kanji given name), perhaps siblings. Neither for nor against,
  // unless the other script shows the change (Confirm).
  kMaybeSurnameChanged,
  kDifferent,
  kUnknown,  // a side has no name in this script
};

NameRelation KanaRelation(const PersonView& a, const PersonView& b);
NameRelation KanjiRelation(const PersonView& a, const PersonView& b);

// The kSurnameChanged test alone, for callers that have ruled out the
// stronger relations themselves.
bool KanaSurnameChanged(const PersonView& a, const PersonView& b);
bool KanjiSurnameChanged(const PersonView& a, const PersonView& b);

// A kMaybeSurnameChanged that the other script shows to be a surname change
// (kSurnameChanged there) becomes kSurnameChanged; anything else is returned
// as is.
NameRelation Confirm(NameRelation relation, NameRelation other);

// True when the kanji field holds kana only (a name written in katakana where
// kanji were expected).
bool KanjiKeyIsKana(std::string_view kanji_key);

// The given-name part of a key whose surname part is `surname` (a prefix), or
// "" when the split is unknown.
std::string_view GivenPart(std::string_view key, std::string_view surname);

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_NAME_RELATION_H_
