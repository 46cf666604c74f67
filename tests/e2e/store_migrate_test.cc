// `kuromaru store migrate`: a SQLite store that a server filled (cases, a
// decision, the feed, the audit, the roster in service) moved into
// PostgreSQL; run twice it copies nothing more; a server on PostgreSQL then
// serves the same cases, roster and feed, where a consumer's SQLite cursor
// still resumes; and a moved row changed afterwards fails verification.
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"
#include "tests/e2e/service_env.h"
#include "tests/support/postgres_cluster.h"

namespace kuromaru::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kReceipts = 60;

const Tokens& tokens() { return ServiceData::Get().tokens; }

v1::ListChangesResponse Changes(ServiceEnv& env, const std::string& since,
                                int page_size) {
  v1::ListChangesRequest request;
  request.set_since_cursor(since);
  request.set_page_size(page_size);
  v1::ListChangesResponse page;
  auto context = ContextWith(tokens().claims);
  const grpc::Status status =
      env.review()->ListChanges(context.get(), request, &page);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return page;
}

// The JSON lines of a migrate run, by table.
std::vector<std::string> Lines(const CommandResult& run) {
  return absl::StrSplit(run.out, '\n', absl::SkipEmpty());
}

TEST(StoreMigrateTest, MovesASqliteStoreIntoPostgresAndVerifiesIt) {
  PostgresCluster* cluster = PostgresCluster::Shared();
  ASSERT_NE(cluster, nullptr);
  absl::StatusOr<std::string> dsn = cluster->CreateSchema("e2e_migrate");
  ASSERT_TRUE(dsn.ok()) << dsn.status();

  // A single replica on SQLite takes receipts and a reviewer's decision.
  auto sqlite = ServiceEnv::Create();
  ASSERT_TRUE(sqlite.ok()) << sqlite.status();
  ASSERT_TRUE((*sqlite)->Start().ok());
  ASSERT_TRUE((*sqlite)->WaitServing().ok());
  std::string pending;
  v1::EnrollmentKey chosen;
  for (int i = 0; i < kReceipts; ++i) {
    v1::ReconcileResponse r;
    auto context = ContextWith(tokens().claims);
    ASSERT_TRUE((*sqlite)
                    ->reconcile()
                    ->Reconcile(context.get(),
                                RequestFor(ServiceData::Get().receipts[i]), &r)
                    .ok());
    if (pending.empty() && r.state() == v1::CASE_STATE_PENDING_REVIEW &&
        r.result().candidates_size() > 0) {
      pending = r.result().receipt_id();
      chosen = KeyOf(r.result().candidates(0));
    }
  }
  ASSERT_FALSE(pending.empty()) << "no case in review";
  v1::ConfirmCandidateRequest confirm;
  confirm.set_receipt_id(pending);
  confirm.set_expected_version(1);
  confirm.set_idempotency_key("moved-decision");
  *confirm.mutable_candidate() = chosen;
  v1::DecisionResponse decided;
  auto context = ContextWith(tokens().reviewer);
  ASSERT_TRUE((*sqlite)
                  ->review()
                  ->ConfirmCandidate(context.get(), confirm, &decided)
                  .ok());
  const v1::ListChangesResponse first_ten = Changes(**sqlite, "", 10);
  const v1::ListChangesResponse rest =
      Changes(**sqlite, first_ten.next_cursor(), 1000);
  ASSERT_EQ(rest.changes_size(), kReceipts + 1 - 10);
  ASSERT_TRUE((*sqlite)->Kill().ok());  // as a crash would leave the file

  const std::vector<std::string> move_args = {
      "store", "migrate", "--from", (*sqlite)->store_path(), "--to", *dsn};
  const CommandResult moved = RunKuromaru(move_args);
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  const std::vector<std::string> lines = Lines(moved);
  ASSERT_EQ(lines.size(), 7u) << moved.out;
  EXPECT_THAT(lines[0], HasSubstr(absl::StrCat(
                            "\"table\":\"cases\",\"source_rows\":", kReceipts,
                            ",\"copied\":", kReceipts)));
  for (const std::string& line : lines) {
    EXPECT_THAT(line, HasSubstr("\"verified\":true"));
  }
  // Again: nothing more to copy, and still the same.
  const CommandResult again = RunKuromaru(move_args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  for (const std::string& line : Lines(again)) {
    EXPECT_THAT(line, HasSubstr("\"copied\":0,"));
    EXPECT_THAT(line, HasSubstr("\"verified\":true"));
  }

  // A server on PostgreSQL serves what was moved, with no --roster.
  auto postgres = ServiceEnv::Create(*dsn);
  ASSERT_TRUE(postgres.ok()) << postgres.status();
  ASSERT_TRUE((*postgres)->Start({.with_roster = false}).ok());
  ASSERT_TRUE((*postgres)->WaitServing().ok());
  v1::GetCaseRequest get;
  get.set_receipt_id(pending);
  v1::Case moved_case;
  auto get_context = ContextWith(tokens().reviewer);
  ASSERT_TRUE(
      (*postgres)->review()->GetCase(get_context.get(), get, &moved_case).ok());
  EXPECT_EQ(moved_case.state(), v1::CASE_STATE_CONFIRMED);
  EXPECT_EQ(moved_case.version(), 2);
  // The same decision again is answered from the moved idempotency key.
  v1::DecisionResponse replayed;
  auto replay_context = ContextWith(tokens().reviewer);
  EXPECT_TRUE((*postgres)
                  ->review()
                  ->ConfirmCandidate(replay_context.get(), confirm, &replayed)
                  .ok());
  // A consumer's SQLite cursor resumes in the moved feed, and a new receipt
  // comes after everything moved.
  v1::ReconcileResponse fresh;
  auto fresh_context = ContextWith(tokens().claims);
  ASSERT_TRUE(
      (*postgres)
          ->reconcile()
          ->Reconcile(fresh_context.get(),
                      RequestFor(ServiceData::Get().receipts[kReceipts]),
                      &fresh)
          .ok());
  EXPECT_FALSE(fresh.replayed());
  const v1::ListChangesResponse resumed =
      Changes(**postgres, first_ten.next_cursor(), 1000);
  ASSERT_EQ(resumed.changes_size(), rest.changes_size() + 1);
  for (int i = 0; i < rest.changes_size(); ++i) {
    EXPECT_EQ(resumed.changes(i).receipt_id(), rest.changes(i).receipt_id());
    EXPECT_EQ(resumed.changes(i).version(), rest.changes(i).version());
  }
  EXPECT_EQ(resumed.changes(rest.changes_size()).receipt_id(),
            fresh.result().receipt_id());
  ASSERT_TRUE((*postgres)->Kill().ok());

  // A moved row that no longer matches the file fails verification.
  ASSERT_TRUE(cluster
                  ->RunAsSuperuser(absl::StrCat(
                      "UPDATE e2e_migrate.cases SET top_insurer = 'changed' "
                      "WHERE receipt_id = '",
                      pending, "'"))
                  .ok());
  const CommandResult differs = RunKuromaru(move_args);
  EXPECT_EQ(differs.exit_code, 1);
  EXPECT_THAT(Lines(differs)[0], HasSubstr("\"verified\":false"));
  // Rows written since (the new receipt's history) do not count.
  EXPECT_THAT(Lines(differs)[1], HasSubstr("\"verified\":true"));
  EXPECT_THAT(differs.err, HasSubstr("differ"));
}

TEST(StoreMigrateTest, RefusesWhatIsNotASqliteFileAndAPostgresStore) {
  const CommandResult no_to =
      RunKuromaru({"store", "migrate", "--from", "x.db"});
  EXPECT_EQ(no_to.exit_code, 2);
  EXPECT_THAT(no_to.err, HasSubstr("--to"));
  const CommandResult file_to = RunKuromaru(
      {"store", "migrate", "--from", "x.db", "--to", "/tmp/other.db"});
  EXPECT_EQ(file_to.exit_code, 2);
  EXPECT_THAT(file_to.err, HasSubstr("--to: a PostgreSQL"));
  const CommandResult missing =
      RunKuromaru({"store", "migrate", "--from", "/nonexistent/cases.db",
                   "--to", "postgresql://127.0.0.1:1/none"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("no store file"));
  // A database that cannot be reached: the error names no password.
  const std::string empty = ::testing::TempDir() + "/migrate_empty.db";
  std::ofstream(empty).close();  // an empty file is an empty SQLite store
  const CommandResult unreachable =
      RunKuromaru({"store", "migrate", "--from", empty, "--to",
                   "postgresql://kuromaru:s3cret-pw@127.0.0.1:1/none"});
  EXPECT_EQ(unreachable.exit_code, 3);
  EXPECT_THAT(unreachable.err, HasSubstr("cannot connect"));
  EXPECT_THAT(unreachable.err, Not(HasSubstr("s3cret-pw")));
}

}  // namespace
}  // namespace kuromaru::testing
