// Retention: parsing the period, purging closed cases from a store file, and
// purging while another store (a running server) writes the same file.
#include "services/store/purge.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/store/sqlite_store.h"

namespace kuromaru::store {
namespace {

using ::testing::HasSubstr;

TEST(ParseRetentionTest, AcceptsHoursDaysAndWeeks) {
  EXPECT_EQ(*ParseRetention("180d"), absl::Hours(180 * 24));
  EXPECT_EQ(*ParseRetention("26w"), absl::Hours(26 * 7 * 24));
  EXPECT_EQ(*ParseRetention("4320h"), absl::Hours(4320));
  EXPECT_EQ(*ParseRetention("1d"), absl::Hours(24));
  EXPECT_EQ(*ParseRetention("24h"), absl::Hours(24));
}

TEST(ParseRetentionTest, RefusesUnderOneDay) {
  for (const char* text : {"23h", "0d", "0w", "0h", "1h"}) {
    auto r = ParseRetention(text);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("minimum of 1d"))
        << text;
  }
}

TEST(ParseRetentionTest, RefusesOtherText) {
  for (const char* text :
       {"", "d", "180", "180 d", "-5d", "+5d", "1.5d", "5m", "5s", "5D",
        "180days", "d180", "100001d", "99999999999999999999d"}) {
    EXPECT_EQ(ParseRetention(text).status().code(),
              absl::StatusCode::kInvalidArgument)
        << "'" << text << "'";
  }
}

v1::Receipt PurgeReceipt(const std::string& id) {
  v1::Receipt r;
  r.set_receipt_id(id);
  r.set_service_month("202404");
  r.set_name_kana("スズキ ハナコ");
  return r;
}

v1::MatchResult PurgeResult(v1::Decision decision) {
  v1::MatchResult m;
  m.set_decision(decision);
  v1::Candidate* c = m.add_candidates();
  c->set_insurer_number("06130011");
  c->set_number("7");
  c->set_qualified_from("20200401");
  m.set_roster_version("r1");
  m.set_model_version("m1");
  return m;
}

std::string TempStorePath() {
  std::string dir = ::testing::TempDir() + "/kuromaru_purge_XXXXXX";
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  return dir + "/cases.db";
}

class PurgeClosedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TempStorePath();
    SqliteOptions options;
    options.clock = [this] { return absl::FromUnixMicros(now_us_.load()); };
    auto store = SqliteStore::Open(path_, options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  absl::Time Now() const { return absl::FromUnixMicros(now_us_.load()); }
  void Advance(absl::Duration d) { now_us_ += absl::ToInt64Microseconds(d); }

  void Create(const std::string& id, v1::Decision decision) {
    auto w = store_->CreateCase({PurgeReceipt(id), PurgeResult(decision),
                                 Actor{"claims", "claims", id, ""}});
    ASSERT_TRUE(w.ok()) << w.status();
  }

  void Reject(const std::string& id) {
    auto c = store_->GetCase(id, Actor{}, false);
    ASSERT_TRUE(c.ok()) << c.status();
    ReviewerDecision d;
    d.receipt_id = id;
    d.expected_version = c->version();
    d.idempotency_key = "no-" + id;
    d.actor = Actor{"bob", "reviewer", "r-" + id, ""};
    ASSERT_TRUE(store_->MarkNoMatch(d).ok());
  }

  std::vector<v1::AuditRecord> PurgeAudit() {
    std::vector<v1::AuditRecord> out;
    EXPECT_TRUE(store_
                    ->ExportAudit({},
                                  [&](const v1::AuditRecord& r) {
                                    if (r.action() == "PURGED") {
                                      out.push_back(r);
                                    }
                                    return absl::OkStatus();
                                  })
                    .ok());
    return out;
  }

  const Actor actor_{"purge", "admin", "purge-req-1", "local"};
  std::string path_;
  std::atomic<int64_t> now_us_{1700000000000000};
  std::unique_ptr<CaseStore> store_;
};

TEST_F(PurgeClosedTest, DeletesOnlyCasesClosedBeforeTheRetention) {
  Create("AUTO-OLD", v1::DECISION_AUTO_MATCH);
  Create("REJECTED-OLD", v1::DECISION_REVIEW);
  Reject("REJECTED-OLD");
  Create("OPEN-OLD", v1::DECISION_REVIEW);
  Advance(absl::Hours(24 * 20));
  Create("AUTO-NEW", v1::DECISION_AUTO_MATCH);
  Advance(absl::Hours(24 * 20));  // now: the old ones closed 40 days ago

  auto dry = PurgeClosed(*store_, absl::Hours(24 * 30), Now(), actor_, true);
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_EQ(*dry, 2);
  EXPECT_TRUE(store_->GetCase("AUTO-OLD", Actor{}, false).ok());
  EXPECT_TRUE(PurgeAudit().empty());

  auto purged =
      PurgeClosed(*store_, absl::Hours(24 * 30), Now(), actor_, false);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 2);
  for (const char* gone : {"AUTO-OLD", "REJECTED-OLD"}) {
    EXPECT_EQ(store_->GetCase(gone, Actor{}, false).status().code(),
              absl::StatusCode::kNotFound)
        << gone;
  }
  for (const char* kept : {"OPEN-OLD", "AUTO-NEW"}) {
    EXPECT_TRUE(store_->GetCase(kept, Actor{}, false).ok()) << kept;
  }
  std::vector<v1::AuditRecord> audit = PurgeAudit();
  ASSERT_EQ(audit.size(), 2u);
  for (const v1::AuditRecord& r : audit) {
    EXPECT_EQ(r.actor(), "purge");
    EXPECT_EQ(r.role(), "admin");
    EXPECT_EQ(r.request_id(), "purge-req-1");
    EXPECT_EQ(r.peer(), "local");
  }
  auto again = PurgeClosed(*store_, absl::Hours(24 * 30), Now(), actor_, false);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST_F(PurgeClosedTest, RefusesARetentionUnderOneDay) {
  Create("AUTO", v1::DECISION_AUTO_MATCH);
  Advance(absl::Hours(2));
  for (bool dry_run : {true, false}) {
    auto r = PurgeClosed(*store_, absl::Hours(1), Now(), actor_, dry_run);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(store_->GetCase("AUTO", Actor{}, false).ok());
}

// Holds the file's write lock from a connection of its own, as a server's
// writer does in the middle of a commit.
class WriteLock {
 public:
  explicit WriteLock(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr),
              SQLITE_OK);
  }
  void Release() {
    EXPECT_EQ(sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr),
              SQLITE_OK);
  }
  ~WriteLock() { sqlite3_close(db_); }

 private:
  sqlite3* db_ = nullptr;
};

TEST_F(PurgeClosedTest, WaitsForAnotherWriterWithinTheBusyTimeout) {
  Create("AUTO", v1::DECISION_AUTO_MATCH);
  Advance(absl::Hours(24 * 40));
  WriteLock lock(path_);
  std::thread release([&lock] {
    absl::SleepFor(absl::Milliseconds(300));
    lock.Release();
  });
  // Opened (and its schema checked) while the lock is held, as `kuromaru
  // purge` is beside a busy server. Default busy timeout: 5 s.
  const absl::Time start = absl::Now();
  auto second = SqliteStore::Open(path_, SqliteOptions());
  absl::StatusOr<int64_t> purged = absl::UnknownError("not opened");
  if (second.ok()) {
    purged = PurgeClosed(**second, absl::Hours(24 * 30), Now(), actor_,
                         /*dry_run=*/false);
  }
  const absl::Duration waited = absl::Now() - start;
  release.join();
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 1);
  EXPECT_GE(waited, absl::Milliseconds(250));
}

TEST_F(PurgeClosedTest, FailsUnavailableWhenTheLockOutlastsTheTimeout) {
  Create("AUTO", v1::DECISION_AUTO_MATCH);
  Advance(absl::Hours(24 * 40));
  SqliteOptions impatient;
  impatient.busy_timeout_ms = 50;
  auto second = SqliteStore::Open(path_, impatient);
  ASSERT_TRUE(second.ok()) << second.status();

  WriteLock lock(path_);
  auto purged = PurgeClosed(**second, absl::Hours(24 * 30), Now(), actor_,
                            /*dry_run=*/false);
  EXPECT_EQ(purged.status().code(), absl::StatusCode::kUnavailable);
  lock.Release();
  EXPECT_TRUE(store_->GetCase("AUTO", Actor{}, false).ok());
}

// A server keeps taking cases while an admin purges the same file: neither
// sees an error, and exactly the old closed cases go.
TEST_F(PurgeClosedTest, PurgesWhileAnotherStoreWritesTheFile) {
  constexpr int kOld = 600;  // more than one purge transaction
  for (int i = 0; i < kOld; ++i) {
    Create(absl::StrCat("OLD-", i), v1::DECISION_AUTO_MATCH);
  }
  Advance(absl::Hours(24 * 40));
  auto admin = SqliteStore::Open(path_, SqliteOptions());
  ASSERT_TRUE(admin.ok()) << admin.status();

  absl::Notification stop;
  std::atomic<int> written{0};
  std::thread intake([&] {
    for (int i = 0; !stop.HasBeenNotified(); ++i) {
      auto w = store_->CreateCase({PurgeReceipt(absl::StrCat("NEW-", i)),
                                   PurgeResult(v1::DECISION_AUTO_MATCH),
                                   Actor{"claims", "", "", ""}});
      EXPECT_TRUE(w.ok()) << w.status();
      ++written;
    }
  });
  auto purged = PurgeClosed(**admin, absl::Hours(24 * 30), Now(), actor_,
                            /*dry_run=*/false);
  stop.Notify();
  intake.join();
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, kOld);
  auto counts = store_->CountCases();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)[v1::CASE_STATE_AUTO_RESOLVED], written.load());
}

}  // namespace
}  // namespace kuromaru::store
