// The seed of a test's random choices (when to kill a process, in which
// order to write): KUROMARU_TEST_SEED when set, else 1, so that every run is
// repeatable and a failure can be replayed with the seed it reports.
//
//   SCOPED_TRACE(SeedNote());
//   std::mt19937 rng(TestSeed());
#ifndef KUROMARU_TESTS_SUPPORT_SEED_H_
#define KUROMARU_TESTS_SUPPORT_SEED_H_

#include <cstdint>
#include <string>

namespace kuromaru::testing {

uint32_t TestSeed();

// "seed N (KUROMARU_TEST_SEED=N repeats it)", for SCOPED_TRACE.
std::string SeedNote();

}  // namespace kuromaru::testing

#endif  // KUROMARU_TESTS_SUPPORT_SEED_H_
