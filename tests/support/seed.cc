#include "tests/support/seed.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace kuromaru::testing {

uint32_t TestSeed() {
  const char* given = std::getenv("KUROMARU_TEST_SEED");
  uint32_t seed = 1;
  if (given != nullptr && !absl::SimpleAtoi(given, &seed)) seed = 1;
  return seed;
}

std::string SeedNote() {
  return absl::StrCat("seed ", TestSeed(), " (KUROMARU_TEST_SEED=", TestSeed(),
                      " repeats it)");
}

}  // namespace kuromaru::testing
