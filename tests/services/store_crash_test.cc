// A writer killed with SIGKILL at a random moment loses no acknowledged
// write and leaves no decision without its audit row. A child process writes
// cases and decisions and reports each acknowledged one on a pipe; the
// parent kills it, reopens the file and checks.
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/store/case_store.h"
#include "services/store/sqlite_store.h"
#include "tests/support/seed.h"

namespace kuromaru::store {
namespace {

constexpr size_t kRecord = 32;  // < PIPE_BUF: each write is atomic
constexpr int kChildThreads = 4;

void Report(int fd, char kind, const std::string& id) {
  char record[kRecord] = {};
  record[0] = kind;
  id.copy(record + 1, kRecord - 2);  // stays NUL-terminated
  if (write(fd, record, kRecord) != static_cast<ssize_t>(kRecord)) _exit(3);
}

// The child: writes until it is killed. Uses only the store and _exit.
[[noreturn]] void RunChild(const std::string& path, int round, int fd) {
  auto store = SqliteStore::Open(path, SqliteOptions());
  if (!store.ok()) _exit(2);
  std::vector<std::thread> threads;
  threads.reserve(kChildThreads);
  for (int t = 0; t < kChildThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000000; ++i) {
        NewCase c;
        c.receipt.set_receipt_id(absl::StrCat("K", round, "-", t, "-", i));
        c.result.set_decision(v1::DECISION_REVIEW);
        v1::Candidate* top = c.result.add_candidates();
        top->set_insurer_number("01130012");
        top->set_number(absl::StrCat(i));
        auto w = (*store)->CreateCase(c);
        if (!w.ok()) _exit(4);
        Report(fd, 'C', c.receipt.receipt_id());
        if (i % 2 != 0) continue;
        ReviewerDecision d;
        d.receipt_id = c.receipt.receipt_id();
        d.expected_version = w->stored.version();
        d.idempotency_key = "confirm-" + d.receipt_id;
        d.candidate = cases::KeyOf(*top);
        d.actor = {"crash-test", "reviewer", d.idempotency_key, ""};
        if (!(*store)->Confirm(d).ok()) _exit(5);
        Report(fd, 'D', d.receipt_id);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  _exit(0);
}

// Reads records until `until` (then kills the child) and on to the end.
void Collect(int fd, pid_t child, absl::Time until,
             std::set<std::string>* cases, std::set<std::string>* decisions) {
  bool killed = false;
  std::string buffer;
  while (true) {
    if (!killed && absl::Now() >= until) {
      kill(child, SIGKILL);
      killed = true;
    }
    pollfd p{fd, POLLIN, 0};
    int timeout = killed ? -1 : 5;
    if (poll(&p, 1, timeout) <= 0) continue;
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) break;  // EOF: the child is gone
    buffer.append(chunk, static_cast<size_t>(n));
  }
  for (size_t i = 0; i + kRecord <= buffer.size(); i += kRecord) {
    std::string id(buffer.c_str() + i + 1);
    (buffer[i] == 'C' ? cases : decisions)->insert(id);
  }
}

int64_t Count(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK);
  int64_t n =
      sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  return n;
}

void CheckFile(const std::string& path, const std::set<std::string>& cases,
               const std::set<std::string>& decisions) {
  auto store = SqliteStore::Open(path, SqliteOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  std::set<std::string> audited;
  ASSERT_TRUE((*store)
                  ->ExportAudit({},
                                [&](const v1::AuditRecord& r) {
                                  audited.insert(r.action() + "|" +
                                                 r.receipt_id());
                                  return absl::OkStatus();
                                })
                  .ok());
  for (const std::string& id : cases) {
    auto c = (*store)->GetCase(id, Actor{}, false);
    ASSERT_TRUE(c.ok()) << "acknowledged case lost: " << id;
    EXPECT_TRUE(audited.count("RECONCILED|" + id)) << id;
  }
  for (const std::string& id : decisions) {
    auto c = (*store)->GetCase(id, Actor{}, false);
    ASSERT_TRUE(c.ok()) << id;
    EXPECT_EQ(c->state(), v1::CASE_STATE_CONFIRMED) << id;
    EXPECT_TRUE(audited.count("CONFIRMED|" + id)) << id;
  }
  store->reset();

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
               "ok");
  sqlite3_finalize(stmt);
  // Whatever was committed, acknowledged or not, is whole.
  EXPECT_EQ(Count(db,
                  "SELECT COUNT(*) FROM cases c WHERE state = 4 AND NOT EXISTS "
                  "(SELECT 1 FROM audit a WHERE a.receipt_id = c.receipt_id "
                  "AND a.action = 'CONFIRMED')"),
            0);
  EXPECT_EQ(Count(db,
                  "SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 "
                  "FROM audit a WHERE a.receipt_id = c.receipt_id AND "
                  "a.action = 'RECONCILED')"),
            0);
  EXPECT_EQ(Count(db,
                  "SELECT COUNT(*) FROM cases c WHERE state = 4 AND NOT EXISTS "
                  "(SELECT 1 FROM decisions d WHERE d.receipt_id = "
                  "c.receipt_id)"),
            0);
  sqlite3_close(db);
}

TEST(StoreCrashTest, KillNineLosesNoAcknowledgedWrite) {
  std::string dir = ::testing::TempDir() + "/kuromaru_crash_XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/cases.db";
  SCOPED_TRACE(::kuromaru::testing::SeedNote());
  std::mt19937 rng(::kuromaru::testing::TestSeed());
  std::uniform_int_distribution<int> delay_ms(20, 400);
  std::set<std::string> cases, decisions;
  for (int round = 0; round < 6; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      RunChild(path, round, fds[1]);
    }
    close(fds[1]);
    Collect(fds[0], child, absl::Now() + absl::Milliseconds(delay_ms(rng)),
            &cases, &decisions);
    close(fds[0]);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child ended by itself with " << status;
    CheckFile(path, cases, decisions);
    if (HasFatalFailure()) break;
  }
  EXPECT_GT(cases.size(), 0u);
  EXPECT_GT(decisions.size(), 0u);
  RecordProperty("acknowledged_cases", static_cast<int>(cases.size()));
  RecordProperty("acknowledged_decisions", static_cast<int>(decisions.size()));
  for (const char* suffix : {"", "-wal", "-shm"}) {
    unlink((path + suffix).c_str());
  }
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace kuromaru::store
