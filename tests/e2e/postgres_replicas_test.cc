// Two `kuromaru serve` replicas on one PostgreSQL store, called through
// real gRPC clients: what one stores the other answers from, of two
// reviewers deciding one version on different replicas one wins, the feed
// and the review queue read the same on both, health follows the database
// on each, a roster put into service on one reaches the other, a replica
// killed during decisions loses none it acknowledged, and a database
// restarted under load loses no acknowledged receipt.
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"
#include "tests/e2e/service_env.h"
#include "tests/support/files.h"
#include "tests/support/postgres_cluster.h"

namespace kuromaru::testing {
namespace {

constexpr int kReplicas = 2;
constexpr int kReceipts = 200;
constexpr char kReview[] = "kuromaru.v1.ReviewService";

using ::testing::HasSubstr;
using HealthStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

class PostgresReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = PostgresCluster::Shared();
    ASSERT_NE(cluster_, nullptr);
    static int serial = 0;
    absl::StatusOr<std::string> dsn =
        cluster_->CreateSchema(absl::StrCat("e2e_replicas_", ++serial));
    ASSERT_TRUE(dsn.ok()) << dsn.status();
    for (int i = 0; i < kReplicas; ++i) {
      auto env = ServiceEnv::Create(*dsn);
      ASSERT_TRUE(env.ok()) << env.status();
      ServeOptions serve;
      serve.extra_args = {"--roster-follow-interval", "200ms", "--upload-dir",
                          uploads_.path()};
      ASSERT_TRUE((*env)->Start(serve).ok());
      const absl::Status serving = (*env)->WaitServing();
      ASSERT_TRUE(serving.ok()) << serving;
      replicas_.push_back(*std::move(env));
    }
  }

  const Tokens& tokens() const { return ServiceData::Get().tokens; }

  // The first kReceipts generated receipts, reconciled on replica 0.
  std::vector<v1::ReconcileResponse> ReconcileOnFirst() {
    auto stub = replicas_[0]->reconcile();
    std::vector<v1::ReconcileResponse> out(kReceipts);
    for (int i = 0; i < kReceipts; ++i) {
      auto context = ContextWith(tokens().claims);
      const grpc::Status status = stub->Reconcile(
          context.get(), RequestFor(ServiceData::Get().receipts[i]), &out[i]);
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return out;
  }

  // The health of `service` on replica `i` (UNKNOWN when the call fails).
  HealthStatus Health(int i, const std::string& service) {
    auto stub = grpc::health::v1::Health::NewStub(replicas_[i]->channel());
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    auto context = ContextWith("", absl::Seconds(2));
    if (!stub->Check(context.get(), request, &response).ok()) {
      return grpc::health::v1::HealthCheckResponse::UNKNOWN;
    }
    return response.status();
  }

  bool WaitHealth(int i, const std::string& service, HealthStatus want) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      if (Health(i, service) == want) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  std::vector<std::string> QueuePage(int i) {
    v1::ListCasesRequest request;
    request.set_order(v1::ListCasesRequest::ORDER_PRIORITY);
    request.add_states(v1::CASE_STATE_PENDING_REVIEW);
    request.set_page_size(20);
    v1::ListCasesResponse page;
    auto context = ContextWith(tokens().reviewer);
    const grpc::Status status =
        replicas_[i]->review()->ListCases(context.get(), request, &page);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> ids;
    for (const v1::CaseSummary& c : page.cases()) ids.push_back(c.receipt_id());
    return ids;
  }

  v1::RosterStatus RosterStatusOf(int i) {
    v1::RosterStatus out;
    auto context = ContextWith(tokens().admin);
    const grpc::Status status = replicas_[i]->roster()->GetRosterStatus(
        context.get(), v1::GetRosterStatusRequest(), &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // The case `id` as replica `i` reads it, and its audit records.
  v1::Case CaseOn(int i, const std::string& id) {
    v1::GetCaseRequest request;
    request.set_receipt_id(id);
    v1::Case out;
    auto context = ContextWith(tokens().reviewer);
    const grpc::Status status =
        replicas_[i]->review()->GetCase(context.get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  int ReopensAuditedOn(int i, const std::string& id) {
    auto records = ExportAudit(*replicas_[i]->review(), id);
    EXPECT_TRUE(records.ok()) << records.status();
    if (!records.ok()) return -1;
    int reopens = 0;
    for (const v1::AuditRecord& r : *records) {
      reopens += r.action() == "REOPENED";
    }
    return reopens;
  }

  // The directory uploads go to, shared by the replicas as a volume would be.
  TempDir uploads_;
  TempDir workstation_;
  PostgresCluster* cluster_ = nullptr;
  std::vector<std::unique_ptr<ServiceEnv>> replicas_;
};

TEST_F(PostgresReplicasTest, ReplicasShareCasesDecisionsFeedAndQueue) {
  const std::vector<v1::ReconcileResponse> stored = ReconcileOnFirst();
  const v1::ReconcileResponse* pending = nullptr;
  for (const v1::ReconcileResponse& r : stored) {
    if (r.state() == v1::CASE_STATE_PENDING_REVIEW &&
        r.result().candidates_size() > 0) {
      pending = &r;
      break;
    }
  }
  ASSERT_NE(pending, nullptr) << "no case in review";
  const std::string id = pending->result().receipt_id();

  // The other replica answers a known receipt from the store.
  v1::ReconcileResponse again;
  auto context = ContextWith(tokens().claims);
  ASSERT_TRUE(replicas_[1]
                  ->reconcile()
                  ->Reconcile(context.get(),
                              RequestFor(ServiceData::Get().receipts[0]),
                              &again)
                  .ok());
  EXPECT_TRUE(again.replayed());

  // Both replicas list the queue alike, with the case in it.
  const std::vector<std::string> first = QueuePage(0);
  EXPECT_EQ(first, QueuePage(1));
  EXPECT_FALSE(first.empty());

  // Reviewers on both replicas confirm version 1 at once: one wins.
  constexpr int kPerReplica = 4;
  std::vector<grpc::StatusCode> codes(kReplicas * kPerReplica);
  std::vector<std::thread> threads;
  threads.reserve(kReplicas * kPerReplica);
  for (int i = 0; i < kReplicas * kPerReplica; ++i) {
    threads.emplace_back([&, i] {
      v1::ConfirmCandidateRequest request;
      request.set_receipt_id(id);
      request.set_expected_version(1);
      request.set_idempotency_key(absl::StrCat("replica-race-", i));
      *request.mutable_candidate() = KeyOf(pending->result().candidates(0));
      v1::DecisionResponse out;
      auto c = ContextWith(tokens().reviewer);
      codes[i] = replicas_[i % kReplicas]
                     ->review()
                     ->ConfirmCandidate(c.get(), request, &out)
                     .error_code();
    });
  }
  for (std::thread& t : threads) t.join();
  int ok = 0, aborted = 0;
  for (grpc::StatusCode code : codes) {
    ok += code == grpc::StatusCode::OK;
    aborted += code == grpc::StatusCode::ABORTED;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(aborted, kReplicas * kPerReplica - 1);

  // Each replica's feed holds every intake and the one confirmation, once.
  for (int r = 0; r < kReplicas; ++r) {
    v1::ListChangesRequest request;
    request.set_page_size(1000);
    v1::ListChangesResponse page;
    auto c = ContextWith(tokens().claims);
    ASSERT_TRUE(
        replicas_[r]->review()->ListChanges(c.get(), request, &page).ok());
    ASSERT_EQ(page.changes_size(), kReceipts + 1) << "replica " << r;
    const v1::Change& last = page.changes(kReceipts);
    EXPECT_EQ(last.receipt_id(), id);
    EXPECT_EQ(last.state(), v1::CASE_STATE_CONFIRMED);
  }
  // The confirmed case left the queue on both.
  for (int r = 0; r < kReplicas; ++r) {
    for (const std::string& queued : QueuePage(r)) EXPECT_NE(queued, id);
  }
}

TEST_F(PostgresReplicasTest, HealthFollowsTheDatabaseOnEveryReplica) {
  ASSERT_TRUE(cluster_->Stop().ok());
  for (int i = 0; i < kReplicas; ++i) {
    EXPECT_TRUE(WaitHealth(i, kReview,
                           grpc::health::v1::HealthCheckResponse::NOT_SERVING))
        << "replica " << i;
    // The process is alive: a liveness probe must not restart it.
    EXPECT_EQ(Health(i, ""), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  v1::ReconcileResponse response;
  auto context = ContextWith(tokens().claims);
  EXPECT_FALSE(replicas_[0]
                   ->reconcile()
                   ->Reconcile(context.get(),
                               RequestFor(ServiceData::Get().receipts[0]),
                               &response)
                   .ok());
  ASSERT_TRUE(cluster_->Restart().ok());
  for (int i = 0; i < kReplicas; ++i) {
    EXPECT_TRUE(
        WaitHealth(i, kReview, grpc::health::v1::HealthCheckResponse::SERVING))
        << "replica " << i;
  }
  auto after = ContextWith(tokens().claims);
  const grpc::Status status = replicas_[1]->reconcile()->Reconcile(
      after.get(), RequestFor(ServiceData::Get().receipts[0]), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(PostgresReplicasTest, ARosterPutIntoServiceOnOneReplicaReachesTheOther) {
  const std::string before = RosterStatusOf(1).version();
  ASSERT_FALSE(before.empty());
  ASSERT_EQ(RosterStatusOf(0).version(), before);

  // The operator sends the roster from a workstation to one replica, under
  // a name the server keeps only in part.
  const std::string token = uploads_.Write("admin.token", tokens().admin);
  const std::string local = workstation_.File("名簿 2026-12.csv");
  std::filesystem::copy_file(ServiceData::Get().second_roster_path, local);
  const CommandResult load = RunKuromaru(
      {"roster", "load", "--server", replicas_[0]->server().address(),
       "--token-file", token, "--upload", local});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_THAT(load.out, HasSubstr("STATE_SUCCEEDED"));
  EXPECT_THAT(load.out, HasSubstr(uploads_.path()));
  EXPECT_THAT(load.out, HasSubstr("-_______2026-12.csv"));
  const std::string after = RosterStatusOf(0).version();
  ASSERT_NE(after, before);
  EXPECT_THAT(load.out, HasSubstr(after));

  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (RosterStatusOf(1).version() != after && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(RosterStatusOf(1).version(), after);
  // A receipt reconciled on the other replica is matched against it, and
  // says so.
  v1::ReconcileResponse response;
  auto reconcile = ContextWith(tokens().claims);
  const grpc::Status status = replicas_[1]->reconcile()->Reconcile(
      reconcile.get(), RequestFor(ServiceData::Get().receipts[kReceipts]),
      &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.replayed());
  EXPECT_EQ(response.result().roster_version(), after);
}

TEST_F(PostgresReplicasTest, AWatchOnOneReplicaSeesAChangeMadeOnTheOther) {
  ReconcileOnFirst();
  v1::ListChangesRequest list;
  list.set_page_size(1000);
  v1::ListChangesResponse before;
  auto list_context = ContextWith(tokens().claims);
  ASSERT_TRUE(replicas_[1]
                  ->review()
                  ->ListChanges(list_context.get(), list, &before)
                  .ok());
  v1::WatchChangesRequest request;
  request.set_since_cursor(before.next_cursor());
  auto context = ContextWith(tokens().claims, absl::Seconds(30));
  auto reader = replicas_[1]->review()->WatchChanges(context.get(), request);
  std::atomic<bool> read{false};
  v1::Change change;
  std::thread watcher([&] { read = reader->Read(&change); });
  absl::SleepFor(absl::Milliseconds(300));
  v1::ReconcileResponse response;
  auto reconcile = ContextWith(tokens().claims);
  ASSERT_TRUE(
      replicas_[0]
          ->reconcile()
          ->Reconcile(reconcile.get(),
                      RequestFor(ServiceData::Get().receipts[kReceipts]),
                      &response)
          .ok());
  // The other replica's NOTIFY wakes the watch; its poll is the backstop.
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (!read && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  context->TryCancel();
  watcher.join();
  ASSERT_TRUE(read);
  EXPECT_EQ(change.receipt_id(), response.result().receipt_id());
  EXPECT_EQ(change.actor_kind(), v1::ACTOR_KIND_INTAKE);
}

TEST_F(PostgresReplicasTest,
       AReplicaKilledDuringDecisionsLosesNoneItAcknowledged) {
  std::vector<std::pair<std::string, int64_t>> closed;  // id, version
  for (const v1::ReconcileResponse& r : ReconcileOnFirst()) {
    if (r.state() == v1::CASE_STATE_AUTO_RESOLVED) {
      closed.emplace_back(r.result().receipt_id(), r.case_version());
    }
  }
  ASSERT_GE(closed.size(), 60u);
  // Reviewers reopen closed cases on replica 1 until it is killed.
  constexpr int kReviewers = 4;
  absl::Mutex mu;
  std::vector<std::string> acknowledged;
  std::vector<std::thread> reviewers;
  reviewers.reserve(kReviewers);
  for (int t = 0; t < kReviewers; ++t) {
    reviewers.emplace_back([&, t] {
      for (size_t i = t; i < closed.size(); i += kReviewers) {
        v1::ReopenCaseRequest request;
        request.set_receipt_id(closed[i].first);
        request.set_expected_version(closed[i].second);
        request.set_idempotency_key(absl::StrCat("killed-", i));
        request.set_comment("reopened while the replica dies");
        v1::DecisionResponse out;
        auto context = ContextWith(tokens().reviewer, absl::Seconds(5));
        if (replicas_[1]
                ->review()
                ->ReopenCase(context.get(), request, &out)
                .ok()) {
          absl::MutexLock lock(&mu);
          acknowledged.push_back(closed[i].first);
        }
      }
    });
  }
  for (int i = 0; i < 400; ++i) {
    {
      absl::MutexLock lock(&mu);
      if (acknowledged.size() >= 20) break;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_TRUE(replicas_[1]->Kill().ok());
  for (std::thread& t : reviewers) t.join();
  ASSERT_GE(acknowledged.size(), 20u);
  ASSERT_LT(acknowledged.size(), closed.size()) << "the kill came too late";

  // Every acknowledged decision is in the database, with its audit record,
  // as the other replica reads it; a decision not acknowledged is there
  // whole or not at all.
  for (const std::string& id : acknowledged) {
    const v1::Case c = CaseOn(0, id);
    EXPECT_EQ(c.state(), v1::CASE_STATE_PENDING_REVIEW) << id;
    EXPECT_EQ(ReopensAuditedOn(0, id), 1) << id;
  }
  for (const auto& [id, version] : closed) {
    const v1::Case c = CaseOn(0, id);
    const bool reopened = c.version() == version + 1;
    EXPECT_EQ(ReopensAuditedOn(0, id), reopened ? 1 : 0) << id;
  }
}

TEST_F(PostgresReplicasTest,
       ADatabaseRestartedUnderLoadLosesNoAcknowledgedReceipt) {
  // Claims systems send receipts to both replicas while the database stops
  // and starts again.
  constexpr int kSenders = 4;
  absl::Mutex mu;
  std::vector<std::string> acknowledged;
  int unavailable = 0, other = 0;
  std::atomic<bool> stop{false};
  std::vector<std::thread> senders;
  senders.reserve(kSenders);
  for (int t = 0; t < kSenders; ++t) {
    senders.emplace_back([&, t] {
      for (int n = 0; !stop.load(); ++n) {
        const std::string id = absl::StrCat("restart-", t, "-", n);
        v1::ReconcileResponse out;
        auto context = ContextWith(tokens().claims, absl::Seconds(5));
        const grpc::Status status =
            replicas_[t % kReplicas]->reconcile()->Reconcile(
                context.get(),
                RequestFor(ServiceData::Get().receipts[n % kReceipts], id),
                &out);
        absl::MutexLock lock(&mu);
        if (status.ok()) {
          acknowledged.push_back(id);
        } else if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                   status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
          ++unavailable;  // a client retries both
        } else {
          ++other;
        }
        if (!status.ok()) absl::SleepFor(absl::Milliseconds(20));
      }
    });
  }
  auto acknowledged_count = [&] {
    absl::MutexLock lock(&mu);
    return acknowledged.size();
  };
  auto wait_for_more = [&](size_t more) {
    const size_t target = acknowledged_count() + more;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (acknowledged_count() < target && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    return acknowledged_count() >= target;
  };
  EXPECT_TRUE(wait_for_more(50));
  ASSERT_TRUE(cluster_->Stop().ok());
  absl::SleepFor(absl::Seconds(2));
  ASSERT_TRUE(cluster_->Restart().ok());
  // Service resumes on both replicas.
  EXPECT_TRUE(wait_for_more(50));
  stop = true;
  for (std::thread& t : senders) t.join();
  EXPECT_GT(unavailable, 0) << "no call saw the database down";
  EXPECT_EQ(other, 0) << "calls failed otherwise than UNAVAILABLE";

  // Every acknowledged receipt is a case, read from either replica.
  for (size_t i = 0; i < acknowledged.size(); ++i) {
    v1::GetCaseRequest request;
    request.set_receipt_id(acknowledged[i]);
    v1::Case c;
    auto context = ContextWith(tokens().reviewer);
    const grpc::Status status =
        replicas_[i % kReplicas]->review()->GetCase(context.get(), request, &c);
    EXPECT_TRUE(status.ok())
        << acknowledged[i] << ": " << status.error_message();
  }
}

}  // namespace
}  // namespace kuromaru::testing
