#include "normalizer/field.h"

#include <array>

#include "normalizer/address.h"
#include "normalizer/date.h"
#include "normalizer/insurer.h"
#include "normalizer/kana.h"
#include "normalizer/member.h"
#include "normalizer/name_kanji.h"
#include "normalizer/sex.h"

namespace kuromaru::normalizer {
namespace {

constexpr std::array<std::pair<std::string_view, Field>, 9> kFields = {{
    {"name_kanji", Field::kNameKanji},
    {"name_kana", Field::kNameKana},
    {"birth_date", Field::kBirthDate},
    {"service_month", Field::kServiceMonth},
    {"insurer_number", Field::kInsurerNumber},
    {"member", Field::kMember},
    {"address", Field::kAddress},
    {"postal_code", Field::kPostalCode},
    {"sex", Field::kSex},
}};

std::vector<int64_t> Ints(const std::vector<int>& v) {
  return {v.begin(), v.end()};
}

void NameKanji(std::string_view input, FieldResult* r) {
  auto name = NormalizeKanjiName(input);
  if (!name.ok()) {
    r->error = std::string(name.status().message());
    return;
  }
  r->key = name->key;
  r->loose_key = name->loose_key;
  r->parts = {{"surname", name->surname},
              {"given", name->given},
              {"loose_surname", name->loose_surname},
              {"loose_given", name->loose_given},
              {"wildcard_count", int64_t{name->wildcard_count}},
              {"wildcard_positions", Ints(name->wildcard_positions)},
              {"variation_notes", name->variation_notes},
              {"is_kana", name->is_kana},
              {"kana_key", name->kana_key}};
}

void NameKana(std::string_view input, FieldResult* r) {
  auto kana = NormalizeKanaName(input);
  if (!kana.ok()) {
    r->error = std::string(kana.status().message());
    return;
  }
  r->key = kana->key;
  r->loose_key = kana->loose_key;
  r->parts = {{"surname", kana->surname},
              {"given", kana->given},
              {"display", kana->display}};
}

void BirthDate(std::string_view input, FieldResult* r) {
  auto date = ParseDate(input);
  if (!date.ok()) {
    r->error = std::string(date.status().message());
    return;
  }
  r->key = r->loose_key = date->key;
  r->parts = {{"year", int64_t{date->date.year}},
              {"month", int64_t{date->date.month}},
              {"day", int64_t{date->date.day}},
              {"era", date->era},
              {"era_year", int64_t{date->era_year}}};
}

void ServiceMonth(std::string_view input, FieldResult* r) {
  auto month = ParseMonth(input);
  if (!month.ok()) {
    r->error = std::string(month.status().message());
    return;
  }
  r->key = r->loose_key = month->key;
  r->parts = {{"year", int64_t{month->year}},
              {"month", int64_t{month->month}},
              {"era", month->era},
              {"era_year", int64_t{month->era_year}}};
}

void Insurer(std::string_view input, FieldResult* r) {
  auto number = ParseInsurerNumber(input);
  if (!number.ok()) {
    r->error = std::string(number.status().message());
    return;
  }
  r->key = r->loose_key = number->digits;
  r->parts = {{"sentinel", number->sentinel},
              {"check_digit_valid", number->check_digit_valid},
              {"kokuho", number->kokuho},
              {"houbetsu", number->houbetsu},
              {"houbetsu_name", number->houbetsu_name},
              {"prefecture_code", number->prefecture_code},
              {"prefecture", number->prefecture},
              {"repairs", number->repairs}};
  if (!number->sentinel && !number->check_digit_valid) {
    r->error = "検証番号 does not match";
  }
}

void Member(std::string_view input, FieldResult* r) {
  std::array<std::string_view, 3> cols;  // symbol, number, branch
  for (std::string_view& col : cols) {
    const size_t tab = input.find('\t');
    col = input.substr(0, tab);
    input = tab == std::string_view::npos ? std::string_view()
                                          : input.substr(tab + 1);
  }
  auto member = NormalizeMember(cols[0], cols[1], cols[2]);
  if (!member.ok()) {
    r->error = std::string(member.status().message());
    return;
  }
  r->key = member->key;
  r->loose_key = member->number;
  r->parts = {{"symbol", member->symbol},
              {"number", member->number},
              {"branch", member->branch},
              {"sentinel", member->sentinel}};
}

void AddressField(std::string_view input, FieldResult* r) {
  auto address = NormalizeAddress(input);
  if (!address.ok()) {
    r->error = std::string(address.status().message());
    return;
  }
  r->key = address->key;
  r->loose_key = address->prefecture + address->municipality;
  r->parts = {{"prefecture", address->prefecture},
              {"municipality", address->municipality},
              {"town", address->town},
              {"blocks", address->blocks},
              {"building", address->building}};
}

void PostalCode(std::string_view input, FieldResult* r) {
  auto code = NormalizePostalCode(input);
  if (!code.ok()) {
    r->error = std::string(code.status().message());
    return;
  }
  r->key = r->loose_key = *code;
}

}  // namespace

std::optional<Field> FieldFromName(std::string_view name) {
  for (const auto& [n, f] : kFields) {
    if (n == name) return f;
  }
  return std::nullopt;
}

const std::vector<std::string>& FieldNames() {
  static const auto* const names = [] {
    auto* v = new std::vector<std::string>;
    for (const auto& [n, f] : kFields) v->emplace_back(n);
    return v;
  }();
  return *names;
}

FieldResult NormalizeField(Field field, std::string_view input) {
  FieldResult r;
  switch (field) {
    case Field::kNameKanji:
      NameKanji(input, &r);
      break;
    case Field::kNameKana:
      NameKana(input, &r);
      break;
    case Field::kBirthDate:
      BirthDate(input, &r);
      break;
    case Field::kServiceMonth:
      ServiceMonth(input, &r);
      break;
    case Field::kInsurerNumber:
      Insurer(input, &r);
      break;
    case Field::kMember:
      Member(input, &r);
      break;
    case Field::kAddress:
      AddressField(input, &r);
      break;
    case Field::kPostalCode:
      PostalCode(input, &r);
      break;
    case Field::kSex:
      r.key = r.loose_key = NormalizeSex(input);
      break;
  }
  return r;
}

}  // namespace kuromaru::normalizer
