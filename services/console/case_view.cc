#include "services/console/case_view.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "normalizer/date.h"
#include "normalizer/kana.h"
#include "normalizer/name_kanji.h"
#include "normalizer/utf8.h"
#include "normalizer/variant_kanji.h"

namespace kuromaru::console {
namespace {

namespace nz = ::kuromaru::normalizer;
using json = nlohmann::json;

// One character of a written name with what belongs to it: a variation
// selector, or a half-width voicing mark after half-width kana.
struct Glyph {
  std::u32string text;
  nz::NameCharClass cls = nz::NameCharClass::kOrdinary;
};

bool IsHalfWidthVoicing(char32_t c) {
  return c == 0xFF9E || c == 0xFF9F || c == 0x3099 || c == 0x309A;
}

std::vector<Glyph> Glyphs(std::string_view text) {
  std::vector<Glyph> out;
  absl::StatusOr<std::u32string> cps = nz::DecodeUtf8(text);
  if (!cps.ok()) return out;
  for (char32_t c : *cps) {
    const nz::NameCharClass cls = nz::ClassifyNameChar(c);
    const bool attaches =
        cls == nz::NameCharClass::kVariationSelector || IsHalfWidthVoicing(c);
    if (attaches && !out.empty()) {
      out.back().text.push_back(c);
      if (cls == nz::NameCharClass::kVariationSelector) {
        out.back().cls = nz::NameCharClass::kVariationSelector;
      }
      continue;
    }
    out.push_back({std::u32string(1, c), cls});
  }
  return out;
}

// The glyphs that are not separators, for aligning two names position by
// position.
std::vector<const Glyph*> Letters(const std::vector<Glyph>& glyphs) {
  std::vector<const Glyph*> out;
  for (const Glyph& g : glyphs) {
    if (g.cls != nz::NameCharClass::kSpace) out.push_back(&g);
  }
  return out;
}

bool IsUnknownChar(const Glyph& g) {
  return g.cls == nz::NameCharClass::kPlaceholder ||
         g.cls == nz::NameCharClass::kPrivateUse;
}

// The kana key of one glyph ("" when it is not kana on its own: ー).
std::string KanaFold(const std::string& text) {
  absl::StatusOr<nz::KanaName> name = nz::NormalizeKanaName(text);
  return name.ok() ? name->key : "";
}

json CharJson(const Glyph& g, bool kana, const Glyph* other) {
  const std::string text = nz::EncodeUtf8(g.text);
  json c = {{"text", text}, {"kind", "plain"}};
  switch (g.cls) {
    case nz::NameCharClass::kPlaceholder:
      c["kind"] = "wildcard";
      break;
    case nz::NameCharClass::kPrivateUse:
      c["kind"] = "gaiji";
      c["folded"] = absl::StrFormat("U+%04X", static_cast<uint32_t>(g.text[0]));
      break;
    case nz::NameCharClass::kVariationSelector:
      c["kind"] = "ivs";
      c["folded"] = nz::EncodeUtf8(g.text.substr(0, 1));
      break;
    case nz::NameCharClass::kSpace:
      c["text"] = " ";
      break;
    case nz::NameCharClass::kOrdinary:
      if (kana) {
        const std::string folded = KanaFold(text);
        if (folded != text) {
          c["kind"] = "kana_fold";
          c["folded"] = folded;
        }
      } else if (const char32_t f = nz::FoldVariant(g.text[0]);
                 f != g.text[0]) {
        c["kind"] = "variant";
        c["folded"] = nz::EncodeUtf8(std::u32string(1, f));
      }
      break;
  }
  if (other != nullptr && (IsUnknownChar(g) || IsUnknownChar(*other))) {
    c["against"] = nz::EncodeUtf8(other->text);
  }
  return c;
}

std::string Iso(const nz::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year, d.month, d.day);
}

// What a level says of agreement, for colouring a row.
std::string_view Agreement(std::string_view level) {
  static constexpr std::string_view kAgree[] = {
      "EXACT",           "EXACT_AFTER_FOLDING", "WILDCARD",
      "VALID",           "POSTAL_CODE",         "REPAIRED",
      "PREVIOUS_MEMBER", "PREVIOUS_INSURER"};
  static constexpr std::string_view kDisagree[] = {"DIFFERENT", "INVALID"};
  if (level == "MISSING" || level.empty()) return "missing";
  if (std::find(std::begin(kAgree), std::end(kAgree), level) !=
      std::end(kAgree)) {
    return "agree";
  }
  if (std::find(std::begin(kDisagree), std::end(kDisagree), level) !=
      std::end(kDisagree)) {
    return "disagree";
  }
  return "partial";
}

// The message-catalogue key that explains a level of a field, or null.
json ExplanationKey(std::string_view field, std::string_view level,
                    std::string_view receipt_original,
                    std::string_view roster_original) {
  if (level == "SURNAME_CHANGED") return "marriage";
  if (level == "WILDCARD") return "wildcard";
  if (level == "PREVIOUS_MEMBER" || level == "PREVIOUS_INSURER") {
    return "enrollment.stale";
  }
  if (field == "name_kanji" && level == "EXACT_AFTER_FOLDING") {
    return "fold.variant_kanji";
  }
  if (field == "name_kana") {
    if (level == "EXACT_AFTER_FOLDING") return "fold.voicing";
    if (level == "EXACT" && receipt_original != roster_original) {
      return "fold.kana";
    }
  }
  if (field == "birth_date") {
    if (level == "WRONG_ERA") return "era";
    if (level == "ONE_DIGIT" || level == "MONTH_DAY_SWAPPED") {
      return "birth_date.near";
    }
  }
  if (field == "insurer" && level == "REPAIRED") return "insurer.repair";
  if (field == "member" && level == "EXACT" &&
      receipt_original != roster_original) {
    return "member.fold";
  }
  if (field == "address" && level != "MISSING") return "address.normalized";
  if (field == "enrollment" && level != "VALID" && level != "MISSING") {
    return "enrollment.not_valid";
  }
  return nullptr;
}

std::string MemberText(const std::string& symbol, const std::string& number,
                       const std::string& branch) {
  std::string out = symbol;
  if (!number.empty()) absl::StrAppend(&out, out.empty() ? "" : "・", number);
  if (!branch.empty()) absl::StrAppend(&out, "-", branch);
  return out;
}

// The originals of one field on both sides.
struct Originals {
  std::string receipt, roster;
};

Originals OriginalsOf(std::string_view field, const v1::Receipt& r,
                      const v1::Candidate& c, const matcher::Roster* roster,
                      matcher::EnrollmentId id) {
  if (field == "name_kanji") return {r.name_kanji(), c.name_kanji()};
  if (field == "name_kana") return {r.name_kana(), c.name_kana()};
  if (field == "birth_date") return {r.birth_date(), c.birth_date()};
  if (field == "sex") return {r.sex(), c.sex()};
  if (field == "member") {
    return {MemberText(r.symbol(), r.number(), r.branch()),
            MemberText(c.symbol(), c.number(), c.branch())};
  }
  if (field == "insurer") return {r.insurer_number(), c.insurer_number()};
  if (field == "address") {
    std::string roster_address;
    if (roster != nullptr && id != matcher::kNoEnrollment) {
      roster_address = std::string(roster->View(id).address_key);
    }
    return {absl::StrCat(r.postal_code(), r.postal_code().empty() ? "" : " ",
                         r.address()),
            roster_address};
  }
  if (field == "enrollment") {
    return {r.service_month(),
            absl::StrCat(c.qualified_from(), "–", c.qualified_until())};
  }
  return {};
}

matcher::EnrollmentId Find(const matcher::Roster* roster,
                           std::string_view insurer, std::string_view symbol,
                           std::string_view number, std::string_view branch,
                           std::string_view from) {
  if (roster == nullptr || from.size() != 8) return matcher::kNoEnrollment;
  uint32_t date = 0;
  for (char ch : from) {
    if (ch < '0' || ch > '9') return matcher::kNoEnrollment;
    date = date * 10 + static_cast<uint32_t>(ch - '0');
  }
  return roster->Find(insurer, symbol, number, branch, date);
}

std::string DateText(matcher::PackedDate date) {
  return date == 0 ? std::string() : absl::StrFormat("%08d", date);
}

json EnrollmentRows(const CaseViewInputs& in, matcher::EnrollmentId id,
                    uint32_t service_month) {
  json rows = json::array();
  if (in.roster == nullptr || id == matcher::kNoEnrollment) return rows;
  const matcher::Roster& r = *in.roster;
  for (matcher::EnrollmentId e : r.Enrollments(r.PersonOf(id))) {
    const matcher::EnrollmentInfo info = r.Info(e);
    json row = {{"insurer_number", info.insurer_number},
                {"insurer_name", ""},
                {"symbol", info.symbol},
                {"number", info.number},
                {"branch", info.branch},
                {"qualified_from", DateText(info.qualified_from)},
                {"qualified_until", DateText(info.qualified_until)},
                {"valid_in_service_month",
                 service_month != 0 && r.CoversMonth(e, service_month)},
                {"is_candidate", e == id}};
    if (in.directory != nullptr) {
      if (const matcher::DirectoryEntry* d =
              in.directory->Find(info.insurer_number)) {
        row["insurer_name"] = d->name;
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

uint32_t ServiceMonthOf(const v1::Case& c) {
  const std::string& m = c.result().normalized().service_month();
  if (m.size() != 6) return 0;
  uint32_t v = 0;
  for (char ch : m) {
    if (ch < '0' || ch > '9') return 0;
    v = v * 10 + static_cast<uint32_t>(ch - '0');
  }
  return v;
}

json Waterfall(const v1::MatchResult& result, const v1::Candidate& c) {
  json bars = json::array();
  for (const v1::Evidence& e : c.evidence()) {
    bars.push_back(
        {{"field", e.field()}, {"level", e.level()}, {"weight", e.weight()}});
  }
  return {{"prior", result.prior_weight()},
          {"bars", std::move(bars)},
          {"total", c.match_weight()},
          {"probability", c.probability()}};
}

json FieldRows(const v1::Case& cs, const v1::Candidate& c,
               const CaseViewInputs& in, matcher::EnrollmentId id) {
  json rows = json::array();
  for (const v1::Evidence& e : c.evidence()) {
    const Originals o = OriginalsOf(e.field(), cs.receipt(), c, in.roster, id);
    rows.push_back({{"field", e.field()},
                    {"receipt_original", o.receipt},
                    {"receipt_normalized", e.receipt_value()},
                    {"roster_original", o.roster},
                    {"roster_normalized", e.roster_value()},
                    {"level", e.level()},
                    {"weight", e.weight()},
                    {"agreement", Agreement(e.level())},
                    {"explanation_key", ExplanationKey(e.field(), e.level(),
                                                       o.receipt, o.roster)}});
  }
  return rows;
}

}  // namespace

std::string KeyText(const v1::EnrollmentKey& key) {
  return absl::StrCat(key.insurer_number(), "|", key.symbol(), "|",
                      key.number(), "|", key.branch(), "|",
                      key.qualified_from());
}

json NameChars(std::string_view name, std::string_view other, bool kana) {
  const std::vector<Glyph> mine = Glyphs(name);
  const std::vector<Glyph> theirs = Glyphs(other);
  const std::vector<const Glyph*> a = Letters(mine);
  const std::vector<const Glyph*> b = Letters(theirs);
  const bool aligned = !b.empty() && a.size() == b.size();
  json out = json::array();
  size_t letter = 0;
  for (const Glyph& g : mine) {
    const bool space = g.cls == nz::NameCharClass::kSpace;
    const Glyph* against = aligned && !space ? b[letter] : nullptr;
    out.push_back(CharJson(g, kana, against));
    if (!space) ++letter;
  }
  return out;
}

json DateDisplay(std::string_view raw) {
  if (raw.empty()) return nullptr;
  absl::StatusOr<nz::ParsedDate> date = nz::ParseDate(raw);
  if (!date.ok()) return nullptr;
  return {{"raw", raw},
          {"iso", Iso(date->date)},
          {"wareki", nz::Wareki(date->date)}};
}

json ReceiptDisplay(const v1::Receipt& r, const v1::Candidate* against) {
  const std::string empty;
  return {
      {"name_kanji", NameChars(r.name_kanji(),
                               against ? against->name_kanji() : empty, false)},
      {"name_kana",
       NameChars(r.name_kana(), against ? against->name_kana() : empty, true)},
      {"birth_date", DateDisplay(r.birth_date())},
      {"sex", r.sex()},
      {"insurer_number", r.insurer_number()},
      {"symbol", r.symbol()},
      {"number", r.number()},
      {"branch", r.branch()},
      {"postal_code", r.postal_code()},
      {"address", r.address()},
      {"insurer_name", r.insurer_name()},
      {"employer", r.employer()}};
}

json CandidateViews(const v1::Case& cs, const CaseViewInputs& in) {
  json out = json::array();
  const v1::MatchResult& result = cs.result();
  const uint32_t month = ServiceMonthOf(cs);
  std::vector<std::string> person_keys;  // first enrollment of each person
  for (int i = 0; i < result.candidates_size(); ++i) {
    const v1::Candidate& c = result.candidates(i);
    const matcher::EnrollmentId id =
        Find(in.roster, c.insurer_number(), c.symbol(), c.number(), c.branch(),
             c.qualified_from());
    // Candidates of one person share a label (A, B, …).
    std::string person = absl::StrCat("candidate-", i);
    if (in.roster != nullptr && id != matcher::kNoEnrollment) {
      person = absl::StrCat("person-", in.roster->PersonOf(id).value());
    }
    auto it = std::find(person_keys.begin(), person_keys.end(), person);
    const size_t label = static_cast<size_t>(it - person_keys.begin());
    if (it == person_keys.end()) person_keys.push_back(person);
    json supporting = json::array();
    for (const v1::Evidence& e : c.evidence()) {
      if (!e.has_roster_enrollment()) continue;
      const std::string key = KeyText(e.roster_enrollment());
      if (std::find(supporting.begin(), supporting.end(), key) ==
          supporting.end()) {
        supporting.push_back(key);
      }
    }
    out.push_back(
        {{"rank", i + 1},
         {"person_label", std::string(1, static_cast<char>('A' + label % 26))},
         {"probability", c.probability()},
         {"match_weight", c.match_weight()},
         {"name_kanji",
          NameChars(c.name_kanji(), cs.receipt().name_kanji(), false)},
         {"name_kana",
          NameChars(c.name_kana(), cs.receipt().name_kana(), true)},
         {"receipt_name_kanji",
          NameChars(cs.receipt().name_kanji(), c.name_kanji(), false)},
         {"receipt_name_kana",
          NameChars(cs.receipt().name_kana(), c.name_kana(), true)},
         {"birth_date", DateDisplay(c.birth_date())},
         {"fields", FieldRows(cs, c, in, id)},
         {"waterfall", Waterfall(result, c)},
         {"enrollments", EnrollmentRows(in, id, month)},
         {"supporting", std::move(supporting)}});
  }
  return out;
}

}  // namespace kuromaru::console
