#include "matcher/normalize_person.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "normalizer/address.h"
#include "normalizer/date.h"
#include "normalizer/insurer.h"
#include "normalizer/kana.h"
#include "normalizer/member.h"
#include "normalizer/name_kanji.h"
#include "normalizer/sex.h"
#include "normalizer/text.h"

namespace kuromaru::matcher {
namespace {

namespace nz = ::kuromaru::normalizer;

void Note(const char* field, const absl::Status& status,
          std::vector<FieldIssue>* issues) {
  if (issues != nullptr) {
    issues->push_back({field, std::string(status.message())});
  }
}

bool Empty(std::string_view s) { return nz::TrimSpaces(s).empty(); }

// Returns true when the field holds only kana.
bool Kanji(std::string_view text, NormalizedPerson* p,
           std::vector<FieldIssue>* issues) {
  if (Empty(text)) return false;
  absl::StatusOr<nz::KanjiName> name = nz::NormalizeKanjiName(text);
  if (!name.ok()) {
    Note("name_kanji", name.status(), issues);
    return false;
  }
  p->kanji_key = std::move(name->key);
  p->kanji_loose_key = std::move(name->loose_key);
  if (!name->given.empty()) p->kanji_surname = std::move(name->surname);
  p->wildcard_count = name->wildcard_count;
  return name->is_kana;
}

void Kana(std::string_view text, NormalizedPerson* p,
          std::vector<FieldIssue>* issues) {
  if (Empty(text)) return;
  absl::StatusOr<nz::KanaName> name = nz::NormalizeKanaName(text);
  if (!name.ok()) return Note("name_kana", name.status(), issues);
  p->kana_key = std::move(name->key);
  p->kana_loose_key = std::move(name->loose_key);
  if (!name->given.empty()) p->kana_surname = std::move(name->surname);
}

// A kanji field written in katakana stands in for a missing kana field.
void KanaFromKanjiField(std::string_view text, NormalizedPerson* p) {
  if (!p->kana_key.empty()) return;
  absl::StatusOr<nz::KanaName> name = nz::NormalizeKanaName(text);
  if (!name.ok()) return;
  p->kana_key = std::move(name->key);
  p->kana_loose_key = std::move(name->loose_key);
  if (!name->given.empty()) p->kana_surname = std::move(name->surname);
}

void BirthDate(std::string_view text, NormalizedPerson* p,
               std::vector<FieldIssue>* issues) {
  if (Empty(text)) return;
  absl::StatusOr<nz::ParsedDate> date = nz::ParseDate(text);
  if (!date.ok()) return Note("birth_date", date.status(), issues);
  p->birth_date = static_cast<PackedDate>(
      date->date.year * 10000 + date->date.month * 100 + date->date.day);
}

void SexField(std::string_view text, NormalizedPerson* p) {
  std::string sex = nz::NormalizeSex(text);
  if (sex == "1") p->sex = Sex::kMale;
  if (sex == "2") p->sex = Sex::kFemale;
}

void Insurer(std::string_view text, NormalizedPerson* p,
             std::vector<FieldIssue>* issues,
             std::optional<nz::InsurerNumber>* parsed) {
  if (Empty(text)) return;
  absl::StatusOr<nz::InsurerNumber> n = nz::ParseInsurerNumber(text);
  if (!n.ok()) return Note("insurer_number", n.status(), issues);
  p->insurer_number = n->digits;
  if (parsed != nullptr) *parsed = *std::move(n);
}

void Member(const RawPerson& raw, NormalizedPerson* p,
            std::vector<FieldIssue>* issues) {
  if (Empty(raw.symbol) && Empty(raw.number) && Empty(raw.branch)) return;
  absl::StatusOr<nz::MemberKey> key =
      nz::NormalizeMember(raw.symbol, raw.number, raw.branch);
  if (!key.ok()) return Note("number", key.status(), issues);
  p->member_key = std::move(key->key);
  p->member_number = std::move(key->number);
}

void Postal(std::string_view text, NormalizedPerson* p,
            std::vector<FieldIssue>* issues) {
  if (Empty(text)) return;
  absl::StatusOr<std::string> code = nz::NormalizePostalCode(text);
  if (!code.ok()) return Note("postal_code", code.status(), issues);
  p->postal_code = *std::move(code);
}

void AddressField(std::string_view text, NormalizedPerson* p,
                  std::vector<FieldIssue>* issues) {
  if (Empty(text)) return;
  absl::StatusOr<nz::Address> a = nz::NormalizeAddress(text);
  if (!a.ok()) return Note("address", a.status(), issues);
  p->address_key = std::move(a->key);
  if (!a->municipality.empty())
    p->municipality = a->prefecture + a->municipality;
}

}  // namespace

NormalizedPerson NormalizePerson(
    const RawPerson& raw, std::vector<FieldIssue>* issues,
    std::optional<normalizer::InsurerNumber>* insurer) {
  NormalizedPerson p;
  const bool kanji_is_kana = Kanji(raw.name_kanji, &p, issues);
  Kana(raw.name_kana, &p, issues);
  if (kanji_is_kana) KanaFromKanjiField(raw.name_kanji, &p);
  BirthDate(raw.birth_date, &p, issues);
  SexField(raw.sex, &p);
  Insurer(raw.insurer_number, &p, issues, insurer);
  Member(raw, &p, issues);
  Postal(raw.postal_code, &p, issues);
  AddressField(raw.address, &p, issues);
  return p;
}

}  // namespace kuromaru::matcher
