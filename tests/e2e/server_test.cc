// The real `kuromaru serve`, started as a process and called through real gRPC
// clients.
#include <signal.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "kuromaru/v1/jobs.grpc.pb.h"
#include "kuromaru/v1/reconcile.grpc.pb.h"
#include "kuromaru/v1/review.grpc.pb.h"
#include "kuromaru/v1/roster.grpc.pb.h"
#include "tests/e2e/process.h"
#include "tests/e2e/service_env.h"

namespace kuromaru {
namespace {

using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::kuromaru::testing::ContextWith;
using ::kuromaru::testing::ServeOptions;
using ::kuromaru::testing::ServerProcess;
using ::kuromaru::testing::ServiceData;
using ::kuromaru::testing::ServiceEnv;
using ::testing::Contains;
using ::testing::IsSupersetOf;

std::unique_ptr<grpc::ClientContext> Context() { return ContextWith(""); }

class ServerTest : public ::testing::Test {
 protected:
  // No roster: the server starts with what every deployment must give it,
  // a store and a token file.
  void SetUp() override {
    auto env = ServiceEnv::Create();
    ASSERT_TRUE(env.ok()) << env.status();
    env_ = *std::move(env);
    const absl::Status started =
        env_->Start(ServeOptions{.with_roster = false});
    ASSERT_TRUE(started.ok()) << started;
    server_ = &env_->server();
    channel_ = env_->channel();
  }

  HealthCheckResponse::ServingStatus Health(const std::string& service) {
    auto stub = grpc::health::v1::Health::NewStub(channel_);
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    auto context = Context();
    const grpc::Status status = stub->Check(context.get(), request, &response);
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
      return HealthCheckResponse::SERVICE_UNKNOWN;
    }
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.status();
  }

  std::unique_ptr<ServiceEnv> env_;
  ServerProcess* server_ = nullptr;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(ServerTest, OverallHealthIsServingAndServicesAreNotYet) {
  EXPECT_EQ(Health(""), HealthCheckResponse::SERVING);
  // No roster is loaded: reconciling cannot work yet.
  EXPECT_EQ(Health("kuromaru.v1.ReconcileService"),
            HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health("no.such.Service"), HealthCheckResponse::SERVICE_UNKNOWN);
}

TEST_F(ServerTest, ReflectionListsEveryService) {
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(channel_);
  auto context = Context();
  auto stream = stub->ServerReflectionInfo(context.get());
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("");
  ASSERT_TRUE(stream->Write(request));
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  std::vector<std::string> names;
  for (const auto& service : response.list_services_response().service()) {
    names.push_back(service.name());
  }
  EXPECT_THAT(
      names,
      IsSupersetOf({"kuromaru.v1.ReconcileService", "kuromaru.v1.ReviewService",
                    "kuromaru.v1.RosterService", "kuromaru.v1.JobService",
                    "grpc.health.v1.Health"}));

  // Descriptors are served too, so generic clients can call the API.
  request.set_file_containing_symbol("kuromaru.v1.ReconcileService");
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_GT(response.file_descriptor_response().file_descriptor_proto_size(),
            0);
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(ServerTest, EveryServiceAnswers) {
  // Each service answers with a canonical status, never a transport failure:
  // UNAUTHENTICATED without a token, and an answer with the right one.
  const testing::Tokens& tokens = ServiceData::Get().tokens;
  const std::vector<grpc::StatusCode> answered = {
      grpc::StatusCode::OK, grpc::StatusCode::UNAVAILABLE,
      grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::NOT_FOUND,
      grpc::StatusCode::FAILED_PRECONDITION};
  for (const std::string& token : {std::string(), tokens.claims}) {
    auto stub = v1::ReconcileService::NewStub(channel_);
    v1::ReconcileRequest request;
    v1::ReconcileResponse response;
    auto context = ContextWith(token);
    const grpc::StatusCode code =
        stub->Reconcile(context.get(), request, &response).error_code();
    if (token.empty()) {
      EXPECT_EQ(code, grpc::StatusCode::UNAUTHENTICATED);
    } else {
      EXPECT_THAT(answered, Contains(code));
    }
  }
  for (const std::string& token : {std::string(), tokens.reviewer}) {
    auto stub = v1::ReviewService::NewStub(channel_);
    v1::ListCasesRequest request;
    v1::ListCasesResponse response;
    auto context = ContextWith(token);
    const grpc::StatusCode code =
        stub->ListCases(context.get(), request, &response).error_code();
    if (token.empty()) {
      EXPECT_EQ(code, grpc::StatusCode::UNAUTHENTICATED);
    } else {
      EXPECT_THAT(answered, Contains(code));
    }
  }
  for (const std::string& token : {std::string(), tokens.admin}) {
    auto stub = v1::RosterService::NewStub(channel_);
    v1::GetRosterStatusRequest request;
    v1::RosterStatus response;
    auto context = ContextWith(token);
    const grpc::StatusCode code =
        stub->GetRosterStatus(context.get(), request, &response).error_code();
    if (token.empty()) {
      EXPECT_EQ(code, grpc::StatusCode::UNAUTHENTICATED);
    } else {
      EXPECT_THAT(answered, Contains(code));
    }
  }
  for (const std::string& token : {std::string(), tokens.admin}) {
    auto stub = v1::JobService::NewStub(channel_);
    v1::GetModelRequest request;
    v1::ModelInfo response;
    auto context = ContextWith(token);
    const grpc::StatusCode code =
        stub->GetModel(context.get(), request, &response).error_code();
    if (token.empty()) {
      EXPECT_EQ(code, grpc::StatusCode::UNAUTHENTICATED);
    } else {
      EXPECT_THAT(answered, Contains(code));
    }
  }
}

TEST_F(ServerTest, SigtermShutsDownCleanly) {
  ASSERT_EQ(Health(""), HealthCheckResponse::SERVING);
  server_->Signal(SIGTERM);
  auto exit_code = server_->WaitForExit(absl::Seconds(30));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << server_->Logs();
  EXPECT_THAT(server_->Logs(), ::testing::HasSubstr("\"msg\":\"stopped\""));
}

TEST_F(ServerTest, SigintShutsDownCleanly) {
  server_->Signal(SIGINT);
  auto exit_code = server_->WaitForExit(absl::Seconds(30));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << server_->Logs();
}

TEST(ServeCommandTest, BusyPortCannotRun) {
  auto first = ServiceEnv::Create();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE((*first)->Start(ServeOptions{.with_roster = false}).ok());
  // Another store, so that only the port is in the way.
  const auto result =
      testing::RunKuromaru({"serve", "--listen", (*first)->server().address(),
                            "--store", (*first)->dir() + "/other.db",
                            "--auth-config", ServiceData::Get().token_path});
  EXPECT_EQ(result.exit_code, 3) << result.err;
}

TEST(ServeCommandTest, StoreAndTokenFileAreRequired) {
  const std::string token_path = ServiceData::Get().token_path;
  const auto no_store =
      testing::RunKuromaru({"serve", "--auth-config", token_path});
  EXPECT_EQ(no_store.exit_code, 2);
  EXPECT_THAT(no_store.err, ::testing::HasSubstr("--store"));
  const auto no_tokens = testing::RunKuromaru(
      {"serve", "--store", ServiceData::Get().dir + "/unused.db"});
  EXPECT_EQ(no_tokens.exit_code, 2);
  EXPECT_THAT(no_tokens.err, ::testing::HasSubstr("--auth-config"));
}

TEST(CliTest, HelpListsCommandsAndUnknownFlagsAreUsageErrors) {
  const auto help = testing::RunKuromaru({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, ::testing::HasSubstr("serve"));
  const auto serve_help = testing::RunKuromaru({"serve", "--help"});
  EXPECT_EQ(serve_help.exit_code, 0);
  EXPECT_THAT(serve_help.out, ::testing::HasSubstr("--listen"));
  const auto bad = testing::RunKuromaru({"serve", "--no-such-flag"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, ::testing::HasSubstr("--no-such-flag"));
  EXPECT_EQ(testing::RunKuromaru({"no-such-command"}).exit_code, 2);
}

}  // namespace
}  // namespace kuromaru
