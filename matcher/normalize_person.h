// One person's fields, raw as billed or as in a roster row, turned into the
// comparable form of matcher/person.h.
//
//   std::vector<FieldIssue> issues;
//   NormalizedPerson p = NormalizePerson(
//       {.name_kanji = "髙橋　太郎", .name_kana = "ﾀｶﾊｼ ﾀﾛｳ",
//        .birth_date = "S50.1.23", .sex = "1"},
//       &issues);
//
// Receipts and roster rows go through this one function, so that equal values
// give equal keys. A field that cannot be normalized becomes missing and its
// reason is appended to `issues`; an empty field is simply missing. Never
// fails, never throws. Pure and thread-safe.
#ifndef KUROMARU_MATCHER_NORMALIZE_PERSON_H_
#define KUROMARU_MATCHER_NORMALIZE_PERSON_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "matcher/person.h"
#include "normalizer/insurer.h"

namespace kuromaru::matcher {

struct RawPerson {
  std::string_view name_kanji, name_kana, birth_date, sex, insurer_number,
      symbol, number, branch, postal_code, address;
};

struct FieldIssue {
  std::string field;   // the RawPerson member's name: "birth_date"
  std::string reason;  // the normalizer's message
};

// With `insurer` non-null, the insurer number as parsed (with its repairs) is
// also stored there when it parses, so that a caller need not parse it again.
NormalizedPerson NormalizePerson(
    const RawPerson& raw, std::vector<FieldIssue>* issues,
    std::optional<normalizer::InsurerNumber>* insurer = nullptr);

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_NORMALIZE_PERSON_H_
