// What the fuzz targets share: failing loudly on a violated property.
#ifndef KUROMARU_TESTS_FUZZ_FUZZ_CHECK_H_
#define KUROMARU_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

namespace kuromaru::fuzz {

// Aborts (libFuzzer keeps the input) when `ok` is false.
inline void Check(bool ok, const char* property) {
  if (ok) return;
  std::fprintf(stderr, "property violated: %s\n", property);
  std::abort();
}

}  // namespace kuromaru::fuzz

#endif  // KUROMARU_TESTS_FUZZ_FUZZ_CHECK_H_
