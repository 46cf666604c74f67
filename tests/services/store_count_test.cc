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

class StoreCountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteOptions options;
    options.clock = [this] { return absl::FromUnixMicros(now_us_.load()); };
    auto store = SqliteStore::Open(":memory:", options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  v1::Case Create(const std::string& id, v1::Decision decision) {
    auto w = store_->CreateCase({CountReceipt(id), CountResult(decision),
                                 Actor{"claims", "claims", "in-" + id, ""}});
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? w->stored : v1::Case();
  }

  Decision DecisionOn(const v1::Case& c, const std::string& key) {
    Decision d;
    d.receipt_id = c.receipt_id();
    d.expected_version = c.version();
    d.idempotency_key = key;
    if (c.result().candidates_size() > 0) {
      d.candidate = KeyOf(c.result().candidates(0));
    }
    d.actor = Actor{"bob", "reviewer", "req-" + key, ""};
    return d;
  }

  std::map<v1::CaseState, int64_t> Counts() {
    auto counts = store_->CountCases();
    EXPECT_TRUE(counts.ok()) << counts.status();
    return counts.ok() ? *counts : std::map<v1::CaseState, int64_t>();
  }

  std::atomic<int64_t> now_us_{1700000000000000};
  std::unique_ptr<CaseStore> store_;
};

TEST_F(StoreCountTest, EmptyStoreHasNoStates) {
  EXPECT_THAT(Counts(), IsEmpty());
  auto purgeable = store_->CountPurgeable(absl::InfiniteFuture());
  ASSERT_TRUE(purgeable.ok()) << purgeable.status();
  EXPECT_EQ(*purgeable, 0);
}

TEST_F(StoreCountTest, CountsFollowIntakeAndDecisions) {
  Create("A1", v1::DECISION_AUTO_MATCH);
  Create("A2", v1::DECISION_AUTO_MATCH);
  v1::Case r1 = Create("R1", v1::DECISION_REVIEW);
  v1::Case r2 = Create("R2", v1::DECISION_REVIEW);
  Create("R3", v1::DECISION_REVIEW);
  Create("U1", v1::DECISION_NO_MATCH);
  EXPECT_THAT(Counts(), ElementsAre(Pair(v1::CASE_STATE_AUTO_RESOLVED, 2),
                                    Pair(v1::CASE_STATE_PENDING_REVIEW, 3),
                                    Pair(v1::CASE_STATE_UNMATCHED, 1)));

  ASSERT_TRUE(store_->Confirm(DecisionOn(r1, "k1")).ok());
  ASSERT_TRUE(store_->MarkNoMatch(DecisionOn(r2, "k2")).ok());
  EXPECT_THAT(Counts(), ElementsAre(Pair(v1::CASE_STATE_AUTO_RESOLVED, 2),
                                    Pair(v1::CASE_STATE_PENDING_REVIEW, 1),
                                    Pair(v1::CASE_STATE_UNMATCHED, 1),
                                    Pair(v1::CASE_STATE_CONFIRMED, 1),
                                    Pair(v1::CASE_STATE_REJECTED, 1)));
}

TEST_F(StoreCountTest, PurgeableCountIsWhatPurgeDeletes) {
  Create("OLD1", v1::DECISION_AUTO_MATCH);
  v1::Case old2 = Create("OLD2", v1::DECISION_REVIEW);
  ASSERT_TRUE(store_->MarkNoMatch(DecisionOn(old2, "k-old2")).ok());
  Create("OPEN", v1::DECISION_REVIEW);  // never purged, however old
  now_us_ += absl::ToInt64Microseconds(absl::Hours(48));
  Create("NEW", v1::DECISION_AUTO_MATCH);
  const absl::Time cutoff =
      absl::FromUnixMicros(now_us_.load()) - absl::Hours(24);

  auto purgeable = store_->CountPurgeable(cutoff);
  ASSERT_TRUE(purgeable.ok()) << purgeable.status();
  EXPECT_EQ(*purgeable, 2);
  auto purged = store_->Purge(cutoff, Actor{"purge", "admin", "p-1", "local"});
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, *purgeable);
  EXPECT_EQ(*store_->CountPurgeable(cutoff), 0);
  EXPECT_THAT(Counts(), ElementsAre(Pair(v1::CASE_STATE_AUTO_RESOLVED, 1),
                                    Pair(v1::CASE_STATE_PENDING_REVIEW, 1)));
}

// Counting from the read connections while the writer commits: each count
// is a snapshot, so the totals only grow, and they end exact.
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
