// Durability of the service under SIGKILL: clients write as fast as they can
// while the server is killed at random moments and restarted on the same
// store; every write the server acknowledged must be there afterwards, with
// its audit row.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/service_env.h"
#include "tests/support/seed.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::ContextWith;
using ::kuromaru::testing::RequestFor;
using ::kuromaru::testing::ServiceData;
using ::kuromaru::testing::ServiceEnv;

constexpr int kWriters = 4;
constexpr int kKills = 8;

// A write the server acknowledged.
struct Ack {
  std::string receipt_id;
  std::string request_id;  // sent as x-request-id; the audit row carries it
  std::string action;      // RECONCILED, CONFIRMED, MARKED_NO_MATCH
  v1::CaseState state = v1::CASE_STATE_UNSPECIFIED;
  int64_t version = 0;
  int life = 0;  // how many restarts had begun when the write was sent
};

class Ledger {
 public:
  void Add(Ack ack) {
    absl::MutexLock lock(&mu_);
    acks_.push_back(std::move(ack));
  }
  std::vector<Ack> acks() {
    absl::MutexLock lock(&mu_);
    return acks_;
  }

 private:
  absl::Mutex mu_;
  std::vector<Ack> acks_ ABSL_GUARDED_BY(mu_);
};

bool Transient(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         status.error_code() == grpc::StatusCode::CANCELLED ||
         status.error_code() == grpc::StatusCode::INTERNAL ||
         status.error_code() == grpc::StatusCode::UNKNOWN;
}

class Writer {
 public:
  Writer(const ServiceEnv& env, int index, const std::atomic<int>& life,
         Ledger* ledger)
      : env_(env), index_(index), life_(life), ledger_(ledger) {}

  void Run(const std::atomic<bool>& stop) {
    const ServiceData& data = ServiceData::Get();
    for (int i = 0; !stop; ++i) {
      const std::string id = absl::StrCat("K", index_, "-", i);
      const std::string request_id = absl::StrCat("rq-", index_, "-", i);
      auto context = ContextWith(data.tokens.claims, absl::Seconds(5));
      context->AddMetadata("x-request-id", request_id);
      const int life = life_;
      v1::ReconcileResponse response;
      const grpc::Status status = env_.reconcile()->Reconcile(
          context.get(),
          RequestFor(data.receipts[(index_ * 97 + i) % data.receipts.size()],
                     id),
          &response);
      if (!status.ok()) {
        EXPECT_TRUE(Transient(status)) << status.error_message();
        absl::SleepFor(absl::Milliseconds(10));
        continue;
      }
      ledger_->Add({id, request_id, "RECONCILED", response.state(),
                    response.case_version(), life});
      if (response.state() == v1::CASE_STATE_PENDING_REVIEW &&
          response.result().candidates_size() > 0) {
        Decide(response, i % 2 == 0, absl::StrCat("rd-", index_, "-", i), stop);
      }
    }
  }

 private:
  // Confirms the top candidate or marks no match, retrying with the same
  // idempotency key and request id until the server answers.
  void Decide(const v1::ReconcileResponse& c, bool confirm,
              const std::string& request_id, const std::atomic<bool>& stop) {
    const ServiceData& data = ServiceData::Get();
    auto review = env_.review();
    for (int attempt = 0; attempt < 100 && !stop; ++attempt) {
      auto context = ContextWith(data.tokens.reviewer, absl::Seconds(5));
      context->AddMetadata("x-request-id", request_id);
      const int life = life_;
      v1::DecisionResponse out;
      grpc::Status status;
      if (confirm) {
        v1::ConfirmCandidateRequest request;
        request.set_receipt_id(c.result().receipt_id());
        request.set_expected_version(c.case_version());
        request.set_idempotency_key(request_id);
        *request.mutable_candidate() = testing::KeyOf(c.result().candidates(0));
        status = review->ConfirmCandidate(context.get(), request, &out);
      } else {
        v1::MarkNoMatchRequest request;
        request.set_receipt_id(c.result().receipt_id());
        request.set_expected_version(c.case_version());
        request.set_idempotency_key(request_id);
        status = review->MarkNoMatch(context.get(), request, &out);
      }
      if (status.ok()) {
        ledger_->Add({c.result().receipt_id(), request_id,
                      confirm ? "CONFIRMED" : "MARKED_NO_MATCH",
                      out.case_().state(), out.case_().version(), life});
        return;
      }
      if (!Transient(status)) {
        ADD_FAILURE() << "decision refused: " << status.error_message();
        return;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  const ServiceEnv& env_;
  const int index_;
  const std::atomic<int>& life_;
  Ledger* const ledger_;
};

// Every acknowledged write is in force: the case exists, a decision's state
// holds at its version or later, and its audit row names the request.
void CheckAcknowledged(const ServiceEnv& env, const std::vector<Ack>& acks) {
  const ServiceData& data = ServiceData::Get();
  auto reconcile = env.reconcile();
  auto review = env.review();
  auto audit = testing::ExportAudit(*review);
  ASSERT_TRUE(audit.ok()) << audit.status();
  std::map<std::pair<std::string, std::string>, const v1::AuditRecord*> rows;
  for (const v1::AuditRecord& r : *audit)
    rows[{r.request_id(), r.action()}] = &r;
  for (const Ack& ack : acks) {
    SCOPED_TRACE(absl::StrCat(ack.receipt_id, " ", ack.action));
    auto row = rows.find({ack.request_id, ack.action});
    if (row == rows.end()) {
      ADD_FAILURE() << "no audit row for " << ack.request_id;
    } else {
      EXPECT_EQ(row->second->receipt_id(), ack.receipt_id);
      EXPECT_EQ(row->second->version_after(), ack.version);
      EXPECT_EQ(row->second->actor(), ack.action == "RECONCILED"
                                          ? testing::kClaimsSubject
                                          : testing::kReviewerSubject);
    }
    if (ack.action == "RECONCILED") {
      v1::GetResultRequest request;
      request.set_receipt_id(ack.receipt_id);
      v1::ReconcileResponse stored;
      auto context = ContextWith(data.tokens.claims);
      const grpc::Status status =
          reconcile->GetResult(context.get(), request, &stored);
      ASSERT_TRUE(status.ok()) << status.error_message();
      EXPECT_GE(stored.case_version(), ack.version);
      continue;
    }
    v1::GetCaseRequest request;
    request.set_receipt_id(ack.receipt_id);
    v1::Case stored;
    auto context = ContextWith(data.tokens.reviewer);
    const grpc::Status status =
        review->GetCase(context.get(), request, &stored);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(stored.state(), ack.state);
    EXPECT_GE(stored.version(), ack.version);
  }
}

std::string RosterVersion(const ServiceEnv& env) {
  v1::RosterStatus status;
  auto context = ContextWith(ServiceData::Get().tokens.admin);
  const grpc::Status answered =
      env.roster()->GetRosterStatus(context.get(), {}, &status);
  EXPECT_TRUE(answered.ok()) << answered.error_message();
  return status.version();
}

TEST(ServiceCrashTest, AcknowledgedWritesSurviveSigkill) {
  auto created = ServiceEnv::Create();
  ASSERT_TRUE(created.ok()) << created.status();
  ServiceEnv& env = **created;
  ASSERT_TRUE(env.Start().ok());
  ASSERT_TRUE(env.WaitServing().ok());
  const std::string roster_version = RosterVersion(env);
  ASSERT_FALSE(roster_version.empty());
  Ledger ledger;
  std::atomic<bool> stop{false};
  std::atomic<int> life{0};
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<Writer>> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(std::make_unique<Writer>(env, w, life, &ledger));
    threads.emplace_back(
        [&stop, writer = writers.back().get()] { writer->Run(stop); });
  }
  SCOPED_TRACE(::kuromaru::testing::SeedNote());
  std::mt19937 random(::kuromaru::testing::TestSeed());
  std::uniform_int_distribution<int> pause_ms(100, 600);
  for (int kill = 0; kill < kKills; ++kill) {
    absl::SleepFor(absl::Milliseconds(pause_ms(random)));
    ++life;
    const absl::Status restarted = env.Restart();
    if (!restarted.ok()) {
      ADD_FAILURE() << restarted;
      break;
    }
    const absl::Status serving = env.WaitServing();
    if (!serving.ok()) {
      ADD_FAILURE() << serving;
      break;
    }
    EXPECT_EQ(RosterVersion(env), roster_version);
  }
  absl::SleepFor(absl::Milliseconds(300));
  stop = true;
  for (std::thread& t : threads) t.join();

  const std::vector<Ack> acks = ledger.acks();
  int decisions = 0;
  std::set<int> lives;
  for (const Ack& ack : acks) {
    decisions += ack.action != "RECONCILED";
    lives.insert(ack.life);
  }
  const int reconciles = static_cast<int>(acks.size()) - decisions;
  std::printf(
      "acknowledged: %d reconciles, %d decisions, over %zu of %d "
      "server lives\n",
      reconciles, decisions, lives.size(), kKills + 1);
  EXPECT_GT(reconciles, 100);
  EXPECT_GT(decisions, 3);
  // Writes were acknowledged by servers that were then killed.
  EXPECT_GT(lives.size(), static_cast<size_t>(kKills / 2));
  CheckAcknowledged(env, acks);
}

}  // namespace
}  // namespace kuromaru
