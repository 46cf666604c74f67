#include "tests/e2e/service_env.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "services/io/proto_json.h"

namespace kuromaru::testing {
namespace {

std::string MakeTempDir(const std::string& prefix) {
  std::string dir = ::testing::TempDir() + "/" + prefix + "_XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) return "";
  return std::filesystem::absolute(dir).string();
}

// Runs `kuromaru token new`; appends its line to `conf`; returns the token.
std::string NewToken(const std::string& role, const std::string& subject,
                     std::string* conf) {
  const CommandResult r =
      RunKuromaru({"token", "new", "--role", role, "--subject", subject});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  absl::StrAppend(conf, r.err);
  return std::string(absl::StripAsciiWhitespace(r.out));
}

bool Generate(const std::string& out, const std::string& receipts,
              const std::string& seed) {
  const CommandResult r = RunKuromaru({"gen", "--persons", "2000", "--receipts",
                                       receipts, "--seed", seed, "--out", out});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0;
}

ServiceData* MakeData() {
  auto* data = new ServiceData;
  data->dir = MakeTempDir("kuromaru_service_e2e");
  EXPECT_FALSE(data->dir.empty());
  const std::string second = data->dir + "/second";
  std::filesystem::create_directories(second);
  if (!Generate(data->dir, "400", "3") || !Generate(second, "1", "4")) {
    return data;
  }
  data->roster_path = data->dir + "/roster.csv";
  data->second_roster_path = second + "/roster.csv";
  std::ifstream in(data->dir + "/receipts.jsonl");
  for (std::string line; std::getline(in, line);) {
    v1::Receipt receipt;
    const absl::Status parsed = io::FromJson(line, &receipt);
    EXPECT_TRUE(parsed.ok()) << parsed;
    data->receipts.push_back(receipt);
  }
  std::string conf;
  data->tokens.claims = NewToken("claims", kClaimsSubject, &conf);
  data->tokens.reviewer = NewToken("reviewer", kReviewerSubject, &conf);
  data->tokens.admin = NewToken("admin", kAdminSubject, &conf);
  data->tokens.outsider = NewToken("claims", "outsider", &conf);
  data->tokens.reviewer2 = NewToken("reviewer", kReviewer2Subject, &conf);
  data->token_path = data->dir + "/tokens.conf";
  std::ofstream(data->token_path) << conf;
  chmod(data->token_path.c_str(), 0600);
  return data;
}

}  // namespace

const ServiceData& ServiceData::Get() {
  static const ServiceData* const data = [] {
    ServiceData* made = MakeData();
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(Get().dir, ignored);
    });
    return made;
  }();
  return *data;
}

std::shared_ptr<grpc::Channel> Connect(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

absl::StatusOr<std::unique_ptr<ServiceEnv>> ServiceEnv::Create(
    const std::string& store) {
  const ServiceData& data = ServiceData::Get();
  if (data.token_path.empty()) {
    return absl::FailedPreconditionError("no generated data");
  }
  std::string dir = MakeTempDir("kuromaru_service_store");
  if (dir.empty()) return absl::InternalError("mkdtemp");
  return std::unique_ptr<ServiceEnv>(new ServiceEnv(std::move(dir), store));
}

ServiceEnv::~ServiceEnv() {
  server_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::Status ServiceEnv::Start(const ServeOptions& options) {
  const ServiceData& data = ServiceData::Get();
  std::vector<std::string> args = {"--store", store_path(), "--auth-config",
                                   data.token_path};
  if (port_ != 0) {
    args.insert(args.end(), {"--listen", absl::StrCat("127.0.0.1:", port_)});
  }
  if (options.with_roster) {
    args.insert(args.end(), {"--roster", data.roster_path});
  }
  if (options.health_listen) {
    args.insert(args.end(), {"--health-listen", "127.0.0.1:0"});
  }
  if (options.metrics_listen) {
    args.insert(args.end(), {"--metrics-listen", "127.0.0.1:0"});
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  server_.reset();
  // The port of a killed server may take a moment to be free again.
  absl::StatusOr<std::unique_ptr<ServerProcess>> started;
  for (int attempt = 0; attempt < 20; ++attempt) {
    started = ServerProcess::Start(args);
    if (started.ok() || port_ == 0) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  if (!started.ok()) return started.status();
  server_ = *std::move(started);
  if (port_ == 0) {
    port_ = server_->port();
    absl::MutexLock lock(&mu_);
    channel_ = Connect(server_->address());
  }
  return absl::OkStatus();
}

absl::Status ServiceEnv::Kill() {
  if (server_ == nullptr) return absl::OkStatus();
  server_->Signal(SIGKILL);
  return server_->WaitForExit(absl::Seconds(30)).status();
}

absl::Status ServiceEnv::Restart(const ServeOptions& options) {
  if (absl::Status killed = Kill(); !killed.ok()) return killed;
  return Start(options);
}

absl::Status ServiceEnv::WaitServing(const std::string& service,
                                     absl::Duration timeout) {
  auto stub = grpc::health::v1::Health::NewStub(channel());
  const absl::Time deadline = absl::Now() + timeout;
  grpc::Status last;
  while (absl::Now() < deadline) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    auto context = ContextWith("", absl::Seconds(2));
    // Waiting (rather than failing fast) drives the reconnection.
    context->set_wait_for_ready(true);
    last = stub->Check(context.get(), request, &response);
    if (last.ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat(service, " not SERVING; last: ", last.error_message(), "\n",
                   server_ == nullptr ? "" : server_->Logs()));
}

std::shared_ptr<grpc::Channel> ServiceEnv::channel() const {
  absl::MutexLock lock(&mu_);
  return channel_;
}

std::unique_ptr<v1::ReconcileService::Stub> ServiceEnv::reconcile() const {
  return v1::ReconcileService::NewStub(channel());
}
std::unique_ptr<v1::ReviewService::Stub> ServiceEnv::review() const {
  return v1::ReviewService::NewStub(channel());
}
std::unique_ptr<v1::RosterService::Stub> ServiceEnv::roster() const {
  return v1::RosterService::NewStub(channel());
}
std::unique_ptr<v1::JobService::Stub> ServiceEnv::jobs() const {
  return v1::JobService::NewStub(channel());
}

std::unique_ptr<grpc::ClientContext> ContextWith(const std::string& token,
                                                 absl::Duration deadline) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) {
    context->AddMetadata("authorization", "Bearer " + token);
  }
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(deadline));
  return context;
}

std::vector<std::string> BadRequestFields(const google::rpc::Status& status) {
  std::vector<std::string> fields;
  for (const google::protobuf::Any& any : status.details()) {
    google::rpc::BadRequest bad_request;
    if (!any.UnpackTo(&bad_request)) continue;
    for (const auto& violation : bad_request.field_violations()) {
      fields.push_back(violation.field());
    }
  }
  return fields;
}

std::vector<std::string> BadRequestFields(const grpc::Status& status) {
  google::rpc::Status details;
  if (status.error_details().empty() ||
      !details.ParseFromString(status.error_details())) {
    return {};
  }
  return BadRequestFields(details);
}

v1::ReconcileRequest RequestFor(const v1::Receipt& receipt) {
  v1::ReconcileRequest request;
  *request.mutable_receipt() = receipt;
  return request;
}

v1::ReconcileRequest RequestFor(const v1::Receipt& receipt,
                                const std::string& receipt_id) {
  v1::ReconcileRequest request = RequestFor(receipt);
  request.mutable_receipt()->set_receipt_id(receipt_id);
  return request;
}

v1::EnrollmentKey KeyOf(const v1::Candidate& candidate) {
  v1::EnrollmentKey key;
  key.set_insurer_number(candidate.insurer_number());
  key.set_symbol(candidate.symbol());
  key.set_number(candidate.number());
  key.set_branch(candidate.branch());
  key.set_qualified_from(candidate.qualified_from());
  return key;
}

absl::StatusOr<std::vector<v1::AuditRecord>> ExportAudit(
    v1::ReviewService::Stub& stub, const std::string& receipt_id) {
  v1::ExportAuditRequest request;
  request.set_receipt_id(receipt_id);
  auto context = ContextWith(ServiceData::Get().tokens.admin);
  auto reader = stub.ExportAudit(context.get(), request);
  std::vector<v1::AuditRecord> records;
  for (v1::AuditRecord record; reader->Read(&record);) {
    records.push_back(record);
  }
  const grpc::Status status = reader->Finish();
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  return records;
}

absl::StatusOr<v1::RosterOperation> WaitForOperation(
    v1::RosterService::Stub& stub, const std::string& operation_id,
    absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    v1::GetOperationRequest request;
    request.set_operation_id(operation_id);
    v1::RosterOperation op;
    auto context = ContextWith(ServiceData::Get().tokens.admin);
    const grpc::Status status = stub.GetOperation(context.get(), request, &op);
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    }
    if (op.state() != v1::RosterOperation::STATE_RUNNING) return op;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError("the roster operation still runs");
}

absl::StatusOr<std::string> HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket");
  timeval timeout = {10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("connect to port ", port));
  }
  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  if (write(fd, request.data(), request.size()) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return absl::UnavailableError("write");
  }
  std::string response;
  char buf[8192];
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;)
    response.append(buf, n);
  close(fd);
  return response;
}

}  // namespace kuromaru::testing
