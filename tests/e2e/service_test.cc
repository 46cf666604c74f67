// The kuromaru gRPC service end to end: the real `kuromaru serve` on a
// generated roster, called through real gRPC clients with bearer tokens.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/e2e/service_env.h"
#include "tests/e2e/service_fixture.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::BadRequestFields;
using ::kuromaru::testing::ContextWith;
using ::kuromaru::testing::RequestFor;
using ::kuromaru::testing::ServeOptions;
using ::kuromaru::testing::ServiceTest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::CaseState StateFor(v1::Decision decision) {
  switch (decision) {
    case v1::DECISION_AUTO_MATCH:
      return v1::CASE_STATE_AUTO_RESOLVED;
    case v1::DECISION_REVIEW:
      return v1::CASE_STATE_PENDING_REVIEW;
    default:
      return v1::CASE_STATE_UNMATCHED;
  }
}
TEST_F(ServiceTest, ReconcileAnswersWithCandidatesAndAStoredCase) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  v1::ReconcileResponse response;
  const v1::Receipt& receipt = data().receipts[0];
  const grpc::Status status = Reconcile(RequestFor(receipt), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.result().receipt_id(), receipt.receipt_id());
  EXPECT_GT(response.result().candidates_size(), 0);
  EXPECT_FALSE(response.result().roster_version().empty());
  EXPECT_FALSE(response.result().model_version().empty());
  EXPECT_EQ(response.state(), StateFor(response.result().decision()));
  EXPECT_EQ(response.case_version(), 1);
  EXPECT_FALSE(response.replayed());
  EXPECT_EQ(response.status().code(), 0);
  EXPECT_EQ(response.result().roster_version(), RosterVersion());
}

TEST_F(ServiceTest, RetryIsReplayedAndAnotherReceiptUnderTheIdIsRefused) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const v1::Receipt& receipt = data().receipts[1];
  v1::ReconcileResponse first, again, other;
  ASSERT_TRUE(Reconcile(RequestFor(receipt), &first).ok());
  ASSERT_TRUE(Reconcile(RequestFor(receipt), &again).ok());
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.case_version(), first.case_version());
  EXPECT_EQ(again.state(), first.state());
  EXPECT_EQ(again.result().decision(), first.result().decision());

  v1::ReconcileRequest changed = RequestFor(receipt);
  changed.mutable_receipt()->set_birth_date("19990101");
  EXPECT_EQ(Reconcile(changed, &other).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(ServiceTest, InvalidReceiptsNameEveryBadField) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const v1::Receipt& good = data().receipts[2];
  struct Case {
    std::string name;
    v1::Receipt receipt;
    std::vector<std::string> fields;
  };
  std::vector<Case> cases;
  cases.push_back({"no receipt_id", good, {"receipt.receipt_id"}});
  cases.back().receipt.clear_receipt_id();
  cases.push_back({"no name", good, {"receipt.name_kanji"}});
  cases.back().receipt.clear_name_kanji();
  cases.back().receipt.set_name_kana("　 ");
  cases.push_back({"no birth date", good, {"receipt.birth_date"}});
  cases.back().receipt.clear_birth_date();
  cases.push_back({"over the size bound", good, {"receipt.address"}});
  cases.back().receipt.set_address(std::string(1025, 'a'));
  cases.push_back(
      {"all three missing",
       {},
       {"receipt.receipt_id", "receipt.name_kanji", "receipt.birth_date"}});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::ReconcileResponse response;
    const grpc::Status status = Reconcile(RequestFor(c.receipt), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(BadRequestFields(status), c.fields);
  }
  // Nothing was stored for the refused receipt's id.
  v1::GetResultRequest request;
  request.set_receipt_id(good.receipt_id());
  v1::ReconcileResponse response;
  auto context = ContextWith(tokens().claims);
  EXPECT_EQ(
      reconcile_->GetResult(context.get(), request, &response).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

// Server: a request that fails protobuf parsing never reaches validation.
TEST_F(ServiceTest, InvalidUtf8IsInvalidArgument) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  v1::Receipt receipt = data().receipts[3];
  receipt.set_name_kanji("\xff\xfe\xe5");
  v1::ReconcileResponse response;
  const grpc::Status status = Reconcile(RequestFor(receipt), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << status.error_message();
  EXPECT_THAT(BadRequestFields(status), ElementsAre("receipt.name_kanji"));
}

TEST_F(ServiceTest, InvalidUtf8IsRefusedAndTheServerGoesOn) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  v1::Receipt receipt = data().receipts[3];
  receipt.set_name_kanji("\xff\xfe\xe5");
  v1::ReconcileResponse response;
  EXPECT_FALSE(Reconcile(RequestFor(receipt), &response).ok());
  v1::GetResultRequest request;
  request.set_receipt_id(receipt.receipt_id());
  auto context = ContextWith(tokens().claims);
  EXPECT_EQ(
      reconcile_->GetResult(context.get(), request, &response).error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Reconcile(RequestFor(data().receipts[3]), &response).ok());
}

TEST_F(ServiceTest, NoisyFieldsAreMissingEvidenceNotErrors) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  v1::Receipt receipt = data().receipts[4];
  receipt.set_service_month("ほげ");
  receipt.set_sex("x");
  receipt.set_insurer_number("12-34");
  receipt.set_postal_code("not a postal code");
  v1::ReconcileResponse response;
  const grpc::Status status = Reconcile(RequestFor(receipt), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.case_version(), 1);
  EXPECT_NE(response.state(), v1::CASE_STATE_UNSPECIFIED);
}

TEST_F(ServiceTest, CallersAreAuthenticatedAndNeedTheirRole) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const v1::ReconcileRequest request = RequestFor(data().receipts[5]);
  v1::ReconcileResponse response;
  {
    auto context = ContextWith("");
    EXPECT_EQ(
        reconcile_->Reconcile(context.get(), request, &response).error_code(),
        grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    auto context = ContextWith("kmr_not-a-token");
    EXPECT_EQ(
        reconcile_->Reconcile(context.get(), request, &response).error_code(),
        grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Basic " + tokens().claims);
    EXPECT_EQ(
        reconcile_->Reconcile(context.get(), request, &response).error_code(),
        grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(Reconcile(request, &response, tokens().reviewer).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reconcile(request, &response, tokens().admin).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  {
    v1::ListCasesResponse cases;
    auto context = ContextWith(tokens().outsider);
    EXPECT_EQ(review_->ListCases(context.get(), {}, &cases).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    v1::RosterStatus status;
    auto context = ContextWith(tokens().reviewer);
    EXPECT_EQ(roster_->GetRosterStatus(context.get(), {}, &status).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // None of the refused calls stored a case.
  v1::ListCasesResponse cases;
  auto context = ContextWith(tokens().reviewer);
  ASSERT_TRUE(review_->ListCases(context.get(), {}, &cases).ok());
  EXPECT_EQ(cases.cases_size(), 0);
}

// The stream matches its receipts in batches, stored together: a bad
// receipt, a retry and a clash among them are each answered on their own.
TEST_F(ServiceTest, StreamAnswersEveryReceiptInOrderAndGoesOnAfterABadOne) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  constexpr int kCount = 300;
  constexpr int kBad = 77;
  constexpr int kRetry = 150;  // receipt kRetry - 1 again
  constexpr int kClash = 200;  // another receipt under kClash - 1's id
  auto context = ContextWith(tokens().claims, absl::Seconds(120));
  auto stream = reconcile_->ReconcileStream(context.get());
  auto sent = [&](int i) {
    v1::ReconcileRequest request = RequestFor(data().receipts[i]);
    if (i == kBad) request.mutable_receipt()->clear_birth_date();
    if (i == kRetry) request = RequestFor(data().receipts[i - 1]);
    if (i == kClash) {
      request.mutable_receipt()->set_receipt_id(
          data().receipts[i - 1].receipt_id());
    }
    return request;
  };
  std::thread writer([&] {
    for (int i = 0; i < kCount; ++i) {
      if (!stream->Write(sent(i))) break;
    }
    stream->WritesDone();
  });
  std::vector<v1::ReconcileResponse> responses;
  for (v1::ReconcileResponse r; stream->Read(&r);) responses.push_back(r);
  writer.join();
  const grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(responses.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    SCOPED_TRACE(i);
    const v1::ReconcileResponse& r = responses[i];
    EXPECT_EQ(r.result().receipt_id(), sent(i).receipt().receipt_id());
    if (i == kBad) {
      EXPECT_EQ(r.status().code(), grpc::StatusCode::INVALID_ARGUMENT);
      EXPECT_THAT(BadRequestFields(r.status()),
                  ElementsAre("receipt.birth_date"));
      continue;
    }
    if (i == kClash - 1 || i == kClash) continue;  // below
    EXPECT_EQ(r.status().code(), 0) << r.status().message();
    EXPECT_EQ(r.case_version(), 1);
    EXPECT_EQ(r.state(), StateFor(r.result().decision()));
  }
  // The two sends of one receipt may be stored in either order: one stores
  // the case, the other is its replay.
  EXPECT_NE(responses[kRetry - 1].replayed(), responses[kRetry].replayed());
  EXPECT_EQ(responses[kRetry - 1].result().SerializeAsString(),
            responses[kRetry].result().SerializeAsString());
  // Of two receipts under one id, whichever came second is refused.
  const int first_code = responses[kClash - 1].status().code();
  const int second_code = responses[kClash].status().code();
  EXPECT_EQ(std::min(first_code, second_code), 0);
  EXPECT_EQ(std::max(first_code, second_code),
            grpc::StatusCode::ALREADY_EXISTS);
  // Every receipt answered OK is stored once; no others.
  v1::ListCasesResponse cases;
  v1::ListCasesRequest list;
  list.set_page_size(1000);
  auto review_context = ContextWith(tokens().reviewer);
  ASSERT_TRUE(review_->ListCases(review_context.get(), list, &cases).ok());
  EXPECT_EQ(cases.cases_size(), kCount - 3);
}

TEST_F(ServiceTest, GetResultReturnsTheStoredCase) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::vector<v1::ReconcileResponse> done = ReconcileFirst(3);
  for (const v1::ReconcileResponse& r : done) {
    v1::GetResultRequest request;
    request.set_receipt_id(r.result().receipt_id());
    v1::ReconcileResponse stored;
    auto context = ContextWith(tokens().claims);
    ASSERT_TRUE(reconcile_->GetResult(context.get(), request, &stored).ok());
    EXPECT_EQ(stored.state(), r.state());
    EXPECT_EQ(stored.case_version(), r.case_version());
    EXPECT_EQ(stored.result().candidates_size(), r.result().candidates_size());
  }
  v1::GetResultRequest request;
  v1::ReconcileResponse stored;
  {
    auto context = ContextWith(tokens().claims);
    EXPECT_EQ(
        reconcile_->GetResult(context.get(), request, &stored).error_code(),
        grpc::StatusCode::INVALID_ARGUMENT);
  }
  request.set_receipt_id("NO-SUCH-RECEIPT");
  auto context = ContextWith(tokens().claims);
  EXPECT_EQ(reconcile_->GetResult(context.get(), request, &stored).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ServiceTest, DeadlinesAreHonoured) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const v1::ReconcileRequest request = RequestFor(data().receipts[6]);
  for (absl::Duration deadline : {absl::Seconds(-1), absl::Microseconds(1)}) {
    v1::ReconcileResponse response;
    auto context = ContextWith(tokens().claims, deadline);
    EXPECT_EQ(
        reconcile_->Reconcile(context.get(), request, &response).error_code(),
        grpc::StatusCode::DEADLINE_EXCEEDED);
  }
}

TEST_F(ServiceTest, ReconcileIsUnavailableWithoutARoster) {
  ASSERT_NO_FATAL_FAILURE(StartServer(ServeOptions{.with_roster = false}));
  v1::ReconcileResponse response;
  EXPECT_EQ(Reconcile(RequestFor(data().receipts[0]), &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(RosterVersion(), "");
  // Review works from the store alone.
  v1::ListCasesResponse cases;
  auto context = ContextWith(tokens().reviewer);
  EXPECT_TRUE(review_->ListCases(context.get(), {}, &cases).ok());
}

TEST_F(ServiceTest, HealthPortAnswersWithoutCredentialsAndOnlyHealth) {
  ASSERT_NO_FATAL_FAILURE(StartServer(ServeOptions{.health_listen = true}));
  ASSERT_GT(env_->server().health_port(), 0);
  auto channel = testing::Connect(
      absl::StrCat("127.0.0.1:", env_->server().health_port()));
  auto health = grpc::health::v1::Health::NewStub(channel);
  for (const std::string service : {"", "kuromaru.v1.ReconcileService"}) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    auto context = ContextWith("");
    ASSERT_TRUE(health->Check(context.get(), request, &response).ok());
    EXPECT_EQ(response.status(),
              grpc::health::v1::HealthCheckResponse::SERVING);
  }
  auto stub = v1::ReconcileService::NewStub(channel);
  v1::ReconcileResponse response;
  auto context = ContextWith(tokens().claims);
  EXPECT_EQ(
      stub->Reconcile(context.get(), RequestFor(data().receipts[0]), &response)
          .error_code(),
      grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(ServiceTest, MetricsCountRequestsAndTheRoster) {
  ASSERT_NO_FATAL_FAILURE(StartServer(ServeOptions{.metrics_listen = true}));
  ASSERT_GT(env_->server().metrics_port(), 0);
  ReconcileFirst(3);
  auto page = testing::HttpGet(env_->server().metrics_port(), "/metrics");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(*page, HasSubstr("200 OK"));
  EXPECT_THAT(*page, HasSubstr("kuromaru_requests_total{"));
  EXPECT_THAT(*page, HasSubstr("method=\"Reconcile\""));
  EXPECT_THAT(*page, HasSubstr("kuromaru_roster_rows "));
  EXPECT_THAT(*page, ::testing::Not(HasSubstr(data().receipts[0].name_kana())));
}

// A value from a /metrics page; -1 when the sample is not there.
double Sample(const std::string& page, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (absl::ConsumePrefix(&line, name + " ")) {
      double value = 0;
      if (absl::SimpleAtod(line, &value)) return value;
    }
  }
  return -1;
}

// Receipts sent on a stream together are stored together: their writes
// share commits, and the metrics say how well.
TEST_F(ServiceTest, StreamedReceiptsShareCommits) {
  ASSERT_NO_FATAL_FAILURE(StartServer(ServeOptions{.metrics_listen = true}));
  constexpr int kCount = 300;
  auto context = ContextWith(tokens().claims, absl::Seconds(120));
  auto stream = reconcile_->ReconcileStream(context.get());
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(stream->Write(RequestFor(data().receipts[i])));
  }
  stream->WritesDone();
  int answered = 0;
  for (v1::ReconcileResponse r; stream->Read(&r); ++answered) {
    EXPECT_EQ(r.status().code(), 0) << r.status().message();
  }
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(answered, kCount);
  auto page = testing::HttpGet(env_->server().metrics_port(), "/metrics");
  ASSERT_TRUE(page.ok()) << page.status();
  const double writes = Sample(*page, "kuromaru_store_writes_total");
  const double commits = Sample(*page, "kuromaru_store_commits_total");
  EXPECT_GE(writes, kCount) << *page;
  EXPECT_GT(commits, 0) << *page;
  EXPECT_LE(commits * 4, writes) << "streamed writes were not grouped";
}

// With one matching slot, two streams and a unary caller share it: every
// path through matching, a refused receipt's included, gives it back (a
// slot kept would stall every later call until its deadline).
TEST_F(ServiceTest, OneMatchingSlotServesConcurrentCallers) {
  ASSERT_NO_FATAL_FAILURE(
      StartServer(ServeOptions{.extra_args = {"--match-threads", "1"}}));
  constexpr int kPerStream = 150;
  std::atomic<int> failures{0};
  auto streamer = [&](int offset) {
    auto context = ContextWith(tokens().claims, absl::Seconds(60));
    auto stream = reconcile_->ReconcileStream(context.get());
    std::thread writer([&] {
      for (int i = 0; i < kPerStream; ++i) {
        v1::ReconcileRequest request = RequestFor(data().receipts[offset + i]);
        if (i % 50 == 7) request.mutable_receipt()->clear_birth_date();
        if (!stream->Write(request)) break;
      }
      stream->WritesDone();
    });
    int answered = 0;
    for (v1::ReconcileResponse r; stream->Read(&r); ++answered) {
      const int i = answered;
      const int want = i % 50 == 7 ? grpc::StatusCode::INVALID_ARGUMENT : 0;
      if (r.status().code() != want) ++failures;
    }
    writer.join();
    if (!stream->Finish().ok() || answered != kPerStream) ++failures;
  };
  std::thread first(streamer, 0);
  std::thread second(streamer, kPerStream);
  for (int i = 0; i < 40; ++i) {
    v1::ReconcileResponse response;
    const grpc::Status status =
        Reconcile(RequestFor(data().receipts[2 * kPerStream + i]), &response);
    if (!status.ok()) {
      ++failures;
      break;
    }
  }
  first.join();
  second.join();
  EXPECT_EQ(failures.load(), 0);
}

// A client reconciles continuously while an admin swaps in another roster:
// no call fails, and every call started after the swap sees the new version.
TEST_F(ServiceTest, RosterSwapUnderLoadLosesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::string old_version = RosterVersion();
  ASSERT_FALSE(old_version.empty());
  std::atomic<bool> stop{false}, swapped{false};
  absl::Mutex mu;
  std::vector<std::string> errors;
  std::vector<std::string> versions_after_swap;
  int calls = 0;
  std::thread client([&] {
    for (int i = 0; !stop; ++i) {
      const bool after_swap = swapped;
      v1::ReconcileResponse response;
      const grpc::Status status =
          Reconcile(RequestFor(data().receipts[i % data().receipts.size()],
                               absl::StrCat("SWAP-", i)),
                    &response);
      absl::MutexLock lock(&mu);
      ++calls;
      if (!status.ok()) errors.push_back(status.error_message());
      if (after_swap) {
        versions_after_swap.push_back(response.result().roster_version());
      }
    }
  });
  absl::SleepFor(absl::Milliseconds(300));
  v1::LoadSnapshotRequest load;
  load.set_path(data().second_roster_path);
  v1::RosterOperation op;
  {
    auto context = ContextWith(tokens().admin);
    ASSERT_TRUE(roster_->LoadSnapshot(context.get(), load, &op).ok());
  }
  EXPECT_EQ(op.kind(), v1::RosterOperation::KIND_SNAPSHOT);
  auto done = testing::WaitForOperation(*roster_, op.operation_id());
  swapped = true;
  absl::SleepFor(absl::Milliseconds(500));
  stop = true;
  client.join();
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::RosterOperation::STATE_SUCCEEDED)
      << done->message();
  const std::string new_version = done->resulting_version();
  EXPECT_NE(new_version, old_version);
  EXPECT_EQ(RosterVersion(), new_version);
  absl::MutexLock lock(&mu);
  EXPECT_THAT(errors, ::testing::IsEmpty());
  EXPECT_GT(calls, 10);
  ASSERT_FALSE(versions_after_swap.empty());
  for (const std::string& v : versions_after_swap) EXPECT_EQ(v, new_version);
}

TEST_F(ServiceTest, DeltaIsAppliedOnTopOfTheRoster) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  v1::RosterStatus before;
  {
    auto context = ContextWith(tokens().admin);
    ASSERT_TRUE(roster_->GetRosterStatus(context.get(), {}, &before).ok());
  }
  // Deletes the roster's first row.
  std::ifstream roster(data().roster_path);
  std::string header, row;
  ASSERT_TRUE(std::getline(roster, header) && std::getline(roster, row));
  const std::string delta_path = env_->dir() + "/delta.csv";
  std::ofstream(delta_path) << "op," << header << "\ndelete," << row << "\n";

  v1::ApplyDeltaRequest request;
  request.set_path(delta_path);
  v1::RosterOperation op;
  {
    auto context = ContextWith(tokens().admin);
    ASSERT_TRUE(roster_->ApplyDelta(context.get(), request, &op).ok());
  }
  EXPECT_EQ(op.kind(), v1::RosterOperation::KIND_DELTA);
  auto done = testing::WaitForOperation(*roster_, op.operation_id());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::RosterOperation::STATE_SUCCEEDED)
      << done->message();
  v1::RosterStatus after;
  auto context = ContextWith(tokens().admin);
  ASSERT_TRUE(roster_->GetRosterStatus(context.get(), {}, &after).ok());
  EXPECT_EQ(after.version(), done->resulting_version());
  EXPECT_NE(after.version(), before.version());
  EXPECT_EQ(after.counts().rows(), before.counts().rows() - 1);
  EXPECT_THAT(after.delta_paths(), ElementsAre(delta_path));
}

TEST_F(ServiceTest, RosterPathsMustBeAbsolute) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  v1::RosterOperation op;
  {
    v1::LoadSnapshotRequest request;
    request.set_path("roster.csv");
    auto context = ContextWith(tokens().admin);
    const grpc::Status status =
        roster_->LoadSnapshot(context.get(), request, &op);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(BadRequestFields(status), ElementsAre("path"));
  }
  {
    // Each bad field is named: the encoding and the directory, not the path.
    v1::LoadSnapshotRequest request;
    request.set_path(data().roster_path);
    request.set_encoding("latin-1");
    request.set_directory_path("directory.csv");
    auto context = ContextWith(tokens().admin);
    const grpc::Status status =
        roster_->LoadSnapshot(context.get(), request, &op);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(BadRequestFields(status),
                ElementsAre("encoding", "directory_path"));
  }
  v1::ApplyDeltaRequest request;
  request.set_path("delta.csv");
  auto context = ContextWith(tokens().admin);
  const grpc::Status status = roster_->ApplyDelta(context.get(), request, &op);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadRequestFields(status), ElementsAre("path"));
}

TEST_F(ServiceTest, OperationReportsRejectedRowsByLine) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  // The roster with one malformed row (sex 9) appended.
  std::ifstream in(data().roster_path);
  std::string text, line, last;
  int lines = 0;
  while (std::getline(in, line)) {
    absl::StrAppend(&text, line, "\n");
    last = line;
    ++lines;
  }
  std::vector<std::string> columns = absl::StrSplit(last, ',');
  ASSERT_GT(columns.size(), 7u);
  columns[7] = "9";  // sex: 1 or 2
  last = absl::StrJoin(columns, ",");
  const std::string path = env_->dir() + "/roster_bad.csv";
  std::ofstream(path) << text << last << "\n";

  v1::LoadSnapshotRequest request;
  request.set_path(path);
  v1::RosterOperation op;
  {
    auto context = ContextWith(tokens().admin);
    ASSERT_TRUE(roster_->LoadSnapshot(context.get(), request, &op).ok());
  }
  auto done = testing::WaitForOperation(*roster_, op.operation_id());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->rows_rejected(), 1) << done->message();
  ASSERT_EQ(done->errors_size(), 1);
  EXPECT_EQ(done->errors(0).line(), lines + 1);
  EXPECT_FALSE(done->errors(0).reason().empty());
  EXPECT_EQ(done->rows_read(), lines);  // the header is not a row
}

TEST_F(ServiceTest, RestartAfterKillRestoresRosterAndCases) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::string version = RosterVersion();
  const std::vector<v1::ReconcileResponse> done = ReconcileFirst(5);
  ASSERT_TRUE(env_->Restart().ok());
  const absl::Status serving = env_->WaitServing();
  ASSERT_TRUE(serving.ok()) << serving;
  EXPECT_EQ(RosterVersion(), version);
  for (const v1::ReconcileResponse& r : done) {
    v1::GetResultRequest request;
    request.set_receipt_id(r.result().receipt_id());
    v1::ReconcileResponse stored;
    auto context = ContextWith(tokens().claims);
    ASSERT_TRUE(reconcile_->GetResult(context.get(), request, &stored).ok());
    EXPECT_EQ(stored.case_version(), r.case_version());
    EXPECT_EQ(stored.state(), r.state());
  }
}

// A stream is open when the stop signal comes: the server drains, ends the
// stream when the grace period is over, and exits 0.
TEST_F(ServiceTest, SigtermDuringAStreamExitsCleanly) {
  ASSERT_NO_FATAL_FAILURE(
      StartServer(ServeOptions{.extra_args = {"--shutdown-grace", "2s"}}));
  auto context = ContextWith(tokens().claims, absl::Seconds(60));
  auto stream = reconcile_->ReconcileStream(context.get());
  constexpr int kSent = 50;
  for (int i = 0; i < kSent; ++i) {
    ASSERT_TRUE(stream->Write(RequestFor(data().receipts[i])));
  }
  for (int i = 0; i < kSent; ++i) {
    v1::ReconcileResponse r;
    ASSERT_TRUE(stream->Read(&r));
    EXPECT_EQ(r.status().code(), 0) << r.status().message();
  }
  env_->server().Signal(SIGTERM);
  auto exit_code = env_->server().WaitForExit(absl::Seconds(30));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << env_->server().Logs();
  EXPECT_THAT(env_->server().Logs(), HasSubstr("\"msg\":\"stopped\""));
  v1::ReconcileResponse r;
  EXPECT_FALSE(stream->Read(&r));
  EXPECT_FALSE(stream->Finish().ok());
}

// Server: a stream cancelled mid-match never finishes; Shutdown hangs.
TEST_F(ServiceTest, StreamCancelledWhileMatchingDoesNotBlockShutdown) {
  ASSERT_NO_FATAL_FAILURE(
      StartServer(ServeOptions{.extra_args = {"--shutdown-grace", "1s"}}));
  {
    auto context = ContextWith(tokens().claims, absl::Seconds(60));
    auto stream = reconcile_->ReconcileStream(context.get());
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE(stream->Write(RequestFor(data().receipts[i])));
    }
    context->TryCancel();
    stream->Finish();
  }
  absl::SleepFor(absl::Milliseconds(500));
  env_->server().Signal(SIGTERM);
  auto exit_code = env_->server().WaitForExit(absl::Seconds(15));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
}

}  // namespace
}  // namespace kuromaru
