// The case store on a real file: permissions, schema versions, the audit
// table's append-only triggers, persistence across reopening, and group
// commit under concurrent writers.
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/store/case_store.h"
#include "services/store/migrations.h"
#include "services/store/sqlite_db.h"
#include "services/store/sqlite_store.h"

namespace kuromaru::store {
namespace {

using ::testing::HasSubstr;

class StoreFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/kuromaru_store_XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    path_ = dir_ + "/cases.db";
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      unlink((path_ + suffix).c_str());
    }
    rmdir(dir_.c_str());
  }

  std::unique_ptr<CaseStore> Open() {
    auto store = SqliteStore::Open(path_, SqliteOptions());
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  static NewCase Case(const std::string& id) {
    NewCase c;
    c.receipt.set_receipt_id(id);
    c.receipt.set_service_month("202404");
    c.result.set_decision(v1::DECISION_REVIEW);
    v1::Candidate* top = c.result.add_candidates();
    top->set_insurer_number("01130012");
    top->set_number("5678");
    c.actor = {"claims", "claims", "req-" + id, ""};
    return c;
  }

  // Runs one statement on the file directly; returns SQLite's message.
  std::string RawExec(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    return message;
  }

  int64_t RawCount(const std::string& table) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    std::string sql = "SELECT COUNT(*) FROM " + table;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr),
              SQLITE_OK);
    int64_t n =
        sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(StoreFileTest, FilesAreOwnerOnly) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->CreateCase(Case("R1")).ok());
  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat st;
    ASSERT_EQ(stat((path_ + suffix).c_str(), &st), 0) << suffix;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << suffix;
  }
}

TEST_F(StoreFileTest, AnExistingFileIsNarrowedToOwnerOnly) {
  FILE* f = fopen(path_.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fclose(f);
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  ASSERT_NE(Open(), nullptr);
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(StoreFileTest, CasesAndRosterSurviveReopening) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->CreateCase(Case("R1")).ok());
    RosterState roster;
    roster.version = "v9";
    roster.snapshot_path = "/data/r.csv";
    ASSERT_TRUE(store->PutActiveRoster(roster).ok());
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto c = store->GetCase("R1", Actor{}, false);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->result().candidates(0).number(), "5678");
  EXPECT_EQ(store->GetActiveRoster()->version, "v9");
  auto replay = store->CreateCase(Case("R1"));
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
}

TEST_F(StoreFileTest, AuditRowsCannotBeUpdatedOrDeleted) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->CreateCase(Case("R1")).ok());
  }
  EXPECT_EQ(RawCount("audit"), 1);
  EXPECT_THAT(RawExec("UPDATE audit SET actor = 'mallory'"),
              HasSubstr("append-only"));
  EXPECT_THAT(RawExec("DELETE FROM audit"), HasSubstr("append-only"));
  EXPECT_EQ(RawCount("audit"), 1);
  EXPECT_EQ(RawCount("audit WHERE actor = 'claims'"), 1);
}

TEST_F(StoreFileTest, NewerSchemaIsRefused) {
  ASSERT_NE(Open(), nullptr);
  EXPECT_EQ(RawCount("schema_version"), LatestSchemaVersion());
  EXPECT_EQ(RawExec("INSERT INTO schema_version VALUES (99, 0)"), "");
  auto store = SqliteStore::Open(path_, SqliteOptions());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("99"));
}

// Before version 2, a roster's encoding and directory were kept in a
// checkpoint named after its version; the migration moves them into the
// roster's own columns and drops the checkpoint.
TEST_F(StoreFileTest, MigratesTheRosterSourceOutOfTheCheckpoints) {
  {
    auto db = Connection::Open(path_, true, 5000);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE(Migrate(**db, 1).ok());
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO roster_state VALUES (1, 'v7', "
                           "'/r.csv', '/d1.csv\n/d2.csv', '', 'm1', 0)")
                    .ok());
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO checkpoints VALUES ("
                           "'roster.source.v7', CAST('cp932' || char(10) || "
                           "'/dir.csv' AS BLOB), 0), ('rematch/0-of-1', "
                           "CAST('x' AS BLOB), 0)")
                    .ok());
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto active = store->GetActiveRoster();
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_EQ(active->version, "v7");
  EXPECT_EQ(active->encoding, "cp932");
  EXPECT_EQ(active->directory_path, "/dir.csv");
  EXPECT_THAT(active->delta_paths,
              ::testing::ElementsAre("/d1.csv", "/d2.csv"));
  EXPECT_FALSE(store->LoadCheckpoint("roster.source.v7")->has_value());
  EXPECT_TRUE(store->LoadCheckpoint("rematch/0-of-1")->has_value());
}

TEST_F(StoreFileTest, LogIsCopiedIntoTheFileInTheBackground) {
  SqliteOptions options;
  options.checkpoint_interval = absl::Milliseconds(10);
  auto store = SqliteStore::Open(path_, options);
  ASSERT_TRUE(store.ok()) << store.status();
  struct stat before;
  ASSERT_EQ(stat(path_.c_str(), &before), 0);
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE((*store)->CreateCase(Case(absl::StrCat("W", i))).ok());
  }
  // The writer never checkpoints; only the background thread grows the file.
  struct stat after = before;
  for (int i = 0; i < 500 && after.st_size <= before.st_size; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
    ASSERT_EQ(stat(path_.c_str(), &after), 0);
  }
  EXPECT_GT(after.st_size, before.st_size);
}

TEST_F(StoreFileTest, ConcurrentWritersShareCommits) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          auto w = store->CreateCase(Case(absl::StrCat("T", t, "-", i)));
          if (!w.ok() || w->replayed) ++failures;
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    StoreStats stats = store->GetStats();
    EXPECT_GE(stats.writes, kThreads * kPerThread);
    EXPECT_LT(stats.commits, stats.writes / 2) << "writes were not grouped";
  }
  EXPECT_EQ(RawCount("cases"), kThreads * kPerThread);
  EXPECT_EQ(RawCount("audit WHERE action = 'RECONCILED'"),
            kThreads * kPerThread);
  EXPECT_EQ(RawCount("changes"), kThreads * kPerThread);
}

// A batch is one commit; each case in it stands or falls on its own, and a
// later one sees an earlier one in the same batch.
TEST_F(StoreFileTest, CreateCasesCommitsABatchOnceAndEachCaseOnItsOwn) {
  constexpr int kGood = 100;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    const StoreStats before = store->GetStats();
    std::vector<NewCase> batch;
    for (int i = 0; i < kGood; ++i) batch.push_back(Case(absl::StrCat("B", i)));
    batch.push_back(Case(""));    // no receipt_id: refused before the writer
    batch.push_back(Case("B7"));  // the same receipt again: replayed
    NewCase clash = Case("B8");   // another receipt under B8's id
    clash.receipt.set_service_month("202405");
    batch.push_back(clash);
    std::vector<absl::StatusOr<CaseWrite>> written =
        store->CreateCases(std::move(batch));
    ASSERT_EQ(written.size(), static_cast<size_t>(kGood + 3));
    for (int i = 0; i < kGood; ++i) {
      ASSERT_TRUE(written[i].ok()) << i << ": " << written[i].status();
      EXPECT_FALSE(written[i]->replayed);
      EXPECT_EQ(written[i]->stored.receipt_id(), absl::StrCat("B", i));
      EXPECT_EQ(written[i]->stored.version(), 1);
    }
    EXPECT_EQ(written[kGood].status().code(),
              absl::StatusCode::kInvalidArgument);
    ASSERT_TRUE(written[kGood + 1].ok()) << written[kGood + 1].status();
    EXPECT_TRUE(written[kGood + 1]->replayed);
    EXPECT_EQ(written[kGood + 1]->stored.history_size(), 1);
    EXPECT_EQ(written[kGood + 2].status().code(),
              absl::StatusCode::kAlreadyExists);
    const StoreStats after = store->GetStats();
    EXPECT_EQ(after.writes - before.writes, kGood + 2);
    EXPECT_EQ(after.commits - before.commits, 1);
  }
  // Durable once returned, and the refused ones left nothing.
  EXPECT_EQ(RawCount("cases"), kGood);
  EXPECT_EQ(RawCount("audit WHERE action = 'RECONCILED'"), kGood);
  EXPECT_EQ(RawCount("cases WHERE service_month = '202405'"), 0);
}

}  // namespace
}  // namespace kuromaru::store
