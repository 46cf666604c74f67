// Counting cases by state and purgeable cases, in memory and on a file that
// is written while it is counted.
#include <stdlib.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/store/case_store.h"
#include "services/store/sqlite_store.h"

namespace kuromaru::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

v1::Receipt CountReceipt(const std::string& id) {
  v1::Receipt r;
  r.set_receipt_id(id);
  r.set_service_month("202404");
  r.set_name_kana("ヤマダ タロウ");
  r.set_birth_date("19750123");
  return r;
}

v1::MatchResult CountResult(v1::Decision decision) {
  v1::MatchResult m;
  m.set_decision(decision);
  if (decision != v1::DECISION_NO_MATCH) {
    v1::Candidate* c = m.add_candidates();
    c->set_insurer_number("06130011");
    c->set_number("100");
    c->set_qualified_from("20150401");
    c->set_probability(0.9);
  }
  m.set_roster_version("r1");
  m.set_model_version("m1");
  return m;
}

TEST(StoreCountFileTest, CountsAreConsistentWhileWriting) {
  std::string dir = ::testing::TempDir() + "/kuromaru_count_XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  auto opened = SqliteStore::Open(dir + "/cases.db", SqliteOptions());
  ASSERT_TRUE(opened.ok()) << opened.status();
  CaseStore& store = **opened;
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 50;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&store, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        const std::string id = absl::StrCat("W", w, "-", i);
        auto c =
            store.CreateCase({CountReceipt(id),
                              CountResult(i % 2 == 0 ? v1::DECISION_AUTO_MATCH
                                                     : v1::DECISION_REVIEW),
                              Actor{"claims", "claims", id, ""}});
        EXPECT_TRUE(c.ok()) << c.status();
      }
    });
  }
  int64_t last_total = 0;
  for (int i = 0; i < 200 && last_total < kWriters * kPerWriter; ++i) {
    auto counts = store.CountCases();
    ASSERT_TRUE(counts.ok()) << counts.status();
    int64_t total = 0;
    for (const auto& [state, n] : *counts) total += n;
    EXPECT_GE(total, last_total);
    last_total = total;
  }
  for (std::thread& t : writers) t.join();
  EXPECT_THAT(
      *store.CountCases(),
      ElementsAre(
          Pair(v1::CASE_STATE_AUTO_RESOLVED, kWriters * kPerWriter / 2),
          Pair(v1::CASE_STATE_PENDING_REVIEW, kWriters * kPerWriter / 2)));
}

}  // namespace
}  // namespace kuromaru::store
