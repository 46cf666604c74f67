// One entry point for every field kind, for tools and fuzzers: the field's key,
// loose key and named parts, or the reason it is invalid.
//
//   FieldResult r = NormalizeField(Field::kBirthDate, "S50.1.23");
//   // r.key == "19750123", r.parts holds era 昭和, era_year 50, …
//
// Pure and thread-safe, like the per-field functions it calls.
#ifndef KUROMARU_NORMALIZER_FIELD_H_
#define KUROMARU_NORMALIZER_FIELD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace kuromaru::normalizer {

enum class Field {
  kNameKanji,
  kNameKana,
  kBirthDate,
  kServiceMonth,
  kInsurerNumber,
  kMember,  // input: symbol, number and branch separated by tabs
  kAddress,
  kPostalCode,
  kSex,
};

// The field named as in FORMATS.md (name_kanji, birth_date, …), or nullopt.
std::optional<Field> FieldFromName(std::string_view name);

// Every field name FieldFromName accepts, for help texts.
const std::vector<std::string>& FieldNames();

using PartValue = std::variant<std::string, int64_t, bool,
                               std::vector<std::string>, std::vector<int64_t>>;

struct FieldResult {
  std::string key;        // the exact comparison form; empty on error
  std::string loose_key;  // the looser form used for blocking and near levels
  std::vector<std::pair<std::string, PartValue>> parts;  // in a stable order
  std::string error;  // empty, or why the value is invalid
};

FieldResult NormalizeField(Field field, std::string_view input);

}  // namespace kuromaru::normalizer

#endif  // KUROMARU_NORMALIZER_FIELD_H_
