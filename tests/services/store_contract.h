// The case store contract suite: what every CaseStore implementation must do,
// as parameterized tests over a factory that opens a fresh, empty store.
// store_contract_{cases,feed,state}_test.cc hold the tests;
// store_contract_sqlite_test.cc runs them against SQLite, in memory and on a
// file. Another implementation (PostgreSQL) passes by instantiating the
// suite with its own factory:
//
//   INSTANTIATE_TEST_SUITE_P(Postgres, StoreContractTest,
//                            ::testing::Values(StoreFactory{"pg", OpenPg}));
//
// The store's clock is the fixture's: tests move time with Advance().
#ifndef KUROMARU_TESTS_SERVICES_STORE_CONTRACT_H_
#define KUROMARU_TESTS_SERVICES_STORE_CONTRACT_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/store/case_store.h"
#include "tests/support/files.h"

namespace kuromaru::store {

struct StoreFactory {
  std::string name;  // for the test names: letters, digits, underscores
  // Opens a fresh store in `dir` (an empty directory the test removes
  // afterwards) whose clock is `clock`.
  std::function<absl::StatusOr<std::unique_ptr<CaseStore>>(
      const std::string& dir, std::function<absl::Time()> clock)>
      open;
};

// A receipt and a result that decides `decision` with `candidates`
// candidates (the first to `top_insurer`).
v1::Receipt MakeReceipt(const std::string& id,
                        const std::string& month = "202404",
                        const std::string& insurer = "01130012");
v1::Candidate MakeCandidate(const std::string& insurer,
                            const std::string& number, double p);
v1::MatchResult MakeResult(v1::Decision decision, int candidates,
                           const std::string& top_insurer = "06130011");
// A result whose candidates have the given numbers, with roster and model
// versions "roster-<versions>" and "model-<versions>".
v1::MatchResult Result(v1::Decision decision,
                       const std::vector<std::string>& numbers,
                       const std::string& versions = "1");
Actor Reviewer(const std::string& request_id = "req-1");

class StoreContractTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override;

  absl::Time Now() const { return absl::FromUnixMicros(now_us_.load()); }
  void Advance(absl::Duration d) { now_us_ += absl::ToInt64Microseconds(d); }

  // A case for receipt `id` from MakeResult(decision, candidates).
  v1::Case Create(const std::string& id, v1::Decision decision,
                  int candidates = 2, const std::string& month = "202404",
                  const std::string& billed = "01130012");
  // A case for receipt `id` with `result`, by the job's actor.
  v1::Case Create(const std::string& id, const v1::MatchResult& result,
                  const std::string& month = "202404");

  // A reviewer's decision on `c` as it is, naming its top candidate.
  ReviewerDecision MakeDecision(const v1::Case& c, const std::string& key);
  absl::StatusOr<RematchWrite> ApplyRematch(const v1::Case& c,
                                            const v1::MatchResult& result);
  v1::Case Get(const std::string& id);

  std::map<v1::CaseState, int64_t> Counts();
  std::vector<v1::AuditRecord> Audit(const std::string& receipt_id = "");
  std::vector<std::string> AuditActions(const std::string& receipt_id);

  std::atomic<int64_t> now_us_{1700000000000000};
  Actor job_{"rematch", "job", "job-1", ""};
  std::unique_ptr<::kuromaru::testing::TempDir> dir_;
  std::unique_ptr<CaseStore> store_;
};

}  // namespace kuromaru::store

#endif  // KUROMARU_TESTS_SERVICES_STORE_CONTRACT_H_
