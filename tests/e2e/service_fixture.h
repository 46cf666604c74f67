// The fixture of the gRPC service's end-to-end tests: one `kuromaru serve`
// per test (ServiceEnv) and the calls most tests make through it.
//
//   TEST_F(ServiceTest, Something) {
//     ASSERT_NO_FATAL_FAILURE(StartServer());
//     const v1::ReconcileResponse c = PendingCase();
//     ...
//   }
#ifndef KUROMARU_TESTS_E2E_SERVICE_FIXTURE_H_
#define KUROMARU_TESTS_E2E_SERVICE_FIXTURE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/e2e/service_env.h"

namespace kuromaru::testing {

class ServiceTest : public ::testing::Test {
 protected:
  void StartServer(const ServeOptions& options = {}) {
    auto env = ServiceEnv::Create();
    ASSERT_TRUE(env.ok()) << env.status();
    env_ = *std::move(env);
    const absl::Status started = env_->Start(options);
    ASSERT_TRUE(started.ok()) << started;
    if (options.with_roster) {
      const absl::Status serving = env_->WaitServing();
      ASSERT_TRUE(serving.ok()) << serving;
    }
    reconcile_ = env_->reconcile();
    review_ = env_->review();
    roster_ = env_->roster();
  }

  const ServiceData& data() const { return ServiceData::Get(); }
  const Tokens& tokens() const { return ServiceData::Get().tokens; }

  grpc::Status Reconcile(const v1::ReconcileRequest& request,
                         v1::ReconcileResponse* response,
                         const std::string& token = "") {
    auto context = ContextWith(token.empty() ? tokens().claims : token);
    return reconcile_->Reconcile(context.get(), request, response);
  }

  // Reconciles the first `n` generated receipts.
  std::vector<v1::ReconcileResponse> ReconcileFirst(int n) {
    std::vector<v1::ReconcileResponse> responses(n);
    for (int i = 0; i < n; ++i) {
      const grpc::Status status =
          Reconcile(RequestFor(data().receipts[i]), &responses[i]);
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return responses;
  }

  // Reconciles every generated receipt over one stream.
  std::vector<v1::ReconcileResponse> ReconcileAll() {
    auto context = ContextWith(tokens().claims, absl::Seconds(120));
    auto stream = reconcile_->ReconcileStream(context.get());
    std::thread writer([&] {
      for (const v1::Receipt& receipt : data().receipts) {
        if (!stream->Write(RequestFor(receipt))) break;
      }
      stream->WritesDone();
    });
    std::vector<v1::ReconcileResponse> responses;
    for (v1::ReconcileResponse r; stream->Read(&r);) responses.push_back(r);
    writer.join();
    EXPECT_TRUE(stream->Finish().ok());
    EXPECT_EQ(responses.size(), data().receipts.size());
    return responses;
  }

  // Receipts PendingCase() reconciles to find one.
  static constexpr int kReconciledForPending = 200;

  // A freshly reconciled case in review with candidates.
  v1::ReconcileResponse PendingCase() {
    for (const v1::ReconcileResponse& r :
         ReconcileFirst(kReconciledForPending)) {
      if (r.state() == v1::CASE_STATE_PENDING_REVIEW &&
          r.result().candidates_size() > 0) {
        return r;
      }
    }
    ADD_FAILURE() << "no case in review among the first 200 receipts";
    return {};
  }

  grpc::Status GetCase(const std::string& receipt_id, v1::Case* out) {
    v1::GetCaseRequest request;
    request.set_receipt_id(receipt_id);
    auto context = ContextWith(tokens().reviewer);
    return review_->GetCase(context.get(), request, out);
  }

  grpc::Status Confirm(const v1::ReconcileResponse& c, int64_t version,
                       const std::string& key, v1::DecisionResponse* out) {
    v1::ConfirmCandidateRequest request;
    request.set_receipt_id(c.result().receipt_id());
    request.set_expected_version(version);
    request.set_idempotency_key(key);
    *request.mutable_candidate() = KeyOf(c.result().candidates(0));
    auto context = ContextWith(tokens().reviewer);
    return review_->ConfirmCandidate(context.get(), request, out);
  }

  grpc::Status MarkNoMatch(const std::string& receipt_id, int64_t version,
                           const std::string& key, v1::DecisionResponse* out) {
    v1::MarkNoMatchRequest request;
    request.set_receipt_id(receipt_id);
    request.set_expected_version(version);
    request.set_idempotency_key(key);
    auto context = ContextWith(tokens().reviewer);
    return review_->MarkNoMatch(context.get(), request, out);
  }

  std::string RosterVersion() {
    v1::RosterStatus status;
    auto context = ContextWith(tokens().admin);
    EXPECT_TRUE(roster_->GetRosterStatus(context.get(), {}, &status).ok());
    return status.version();
  }

  std::unique_ptr<ServiceEnv> env_;
  std::unique_ptr<v1::ReconcileService::Stub> reconcile_;
  std::unique_ptr<v1::ReviewService::Stub> review_;
  std::unique_ptr<v1::RosterService::Stub> roster_;
};

}  // namespace kuromaru::testing

#endif  // KUROMARU_TESTS_E2E_SERVICE_FIXTURE_H_
