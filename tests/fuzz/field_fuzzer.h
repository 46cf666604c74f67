// Shared body of the per-field fuzzers: no crash on any bytes, valid UTF-8 out,
// and the key is a fixed point (normalizing it again changes nothing).
#ifndef KUROMARU_TESTS_FUZZ_FIELD_FUZZER_H_
#define KUROMARU_TESTS_FUZZ_FIELD_FUZZER_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "normalizer/field.h"
#include "normalizer/utf8.h"

namespace kuromaru::fuzz {

inline void Fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "property violated: %s (input %zu bytes)\n", what,
               input.size());
  std::abort();
}

inline void FuzzField(normalizer::Field field, const uint8_t* data, size_t size,
                      bool key_is_fixed_point = true) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const normalizer::FieldResult r = normalizer::NormalizeField(field, input);
  if (!normalizer::IsValidUtf8(r.key)) Fail("key is not valid UTF-8", input);
  if (!normalizer::IsValidUtf8(r.loose_key))
    Fail("loose key is not valid UTF-8", input);
  if (!normalizer::IsValidUtf8(r.error))
    Fail("error is not valid UTF-8", input);
  if (r.key.empty() || !key_is_fixed_point) return;
  const normalizer::FieldResult again =
      normalizer::NormalizeField(field, r.key);
  if (again.key != r.key) Fail("key is not a fixed point", input);
}

}  // namespace kuromaru::fuzz

#endif  // KUROMARU_TESTS_FUZZ_FIELD_FUZZER_H_
