// `kuromaru review list|show|confirm|no-match|reopen|search`: the reviewers'
// work over gRPC (role reviewer), for scripts and for reviewers who live in a
// terminal. The same ReviewService the console's gateway shares its rules
// with: versions, idempotency keys, claims and audit apply alike.
#include <chrono>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "kuromaru/v1/review.grpc.pb.h"
#include "openssl/rand.h"
#include "services/cli/client_flags.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"

namespace kuromaru::cli {
namespace {

constexpr std::chrono::milliseconds kRpcTimeout(30000);

struct ReviewFlags {
  grpc_service::ClientOptions client;
  std::string id, key, comment, states, reasons, order = "priority";
  std::string insurer, symbol, number, branch, from;
  std::string kana, kanji, birth_date, month;
  int64_t version = 0, page_size = 20, limit = 20;
  bool from_search = false;
};

void Define(Flags& flags, ReviewFlags* f) {
  AddClientFlags(flags, &f->client);
  flags.String("id", &f->id, "the case's receipt_id");
  flags.Int("version", &f->version,
            "confirm/no-match/reopen: the case version you saw (see show)");
  flags.String("key", &f->key,
               "idempotency key of the decision (default: a fresh one; give "
               "the same one to retry safely)");
  flags.String("comment", &f->comment, "a reason recorded with the decision");
  flags.String("states", &f->states,
               "list: states, comma-separated (default PENDING_REVIEW)");
  flags.String(
      "reasons", &f->reasons,
      "list: reasons, comma-separated (stale_card, fusho, marriage, …)");
  flags.String("order", &f->order, "list: priority (default) or created");
  flags.Int("page-size", &f->page_size, "list: cases per page (1..1000)");
  flags.String("insurer", &f->insurer,
               "confirm: the enrollment's insurer number; search: filter");
  flags.String("symbol", &f->symbol, "confirm: the enrollment's 記号");
  flags.String("number", &f->number,
               "confirm: the enrollment's 番号; search: filter");
  flags.String("branch", &f->branch, "confirm: the enrollment's 枝番");
  flags.String("from", &f->from,
               "confirm: the enrollment's qualified_from (YYYYMMDD)");
  flags.Bool("from-search", &f->from_search,
             "confirm: the enrollment came from `review search`, not the "
             "case's candidates");
  flags.String("kana", &f->kana, "search: カナ氏名");
  flags.String("kanji", &f->kanji, "search: 漢字氏名");
  flags.String("birth-date", &f->birth_date,
               "search: YYYYMMDD or 和暦 GYYMMDD");
  flags.String("month", &f->month,
               "search: service month YYYYMM (marks enrollments valid then)");
  flags.Int("limit", &f->limit, "search: persons at most (1..100)");
}

std::string FreshKey() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return "";
  std::string out = "cli-";
  for (unsigned char b : bytes)
    absl::StrAppend(&out, absl::Hex(b, absl::kZeroPad2));
  return out;
}

int Usage(const Flags& flags, const char* message) {
  std::fprintf(stderr, "kuromaru review: %s\n%s", message,
               flags.Usage().c_str());
  return kExitUsage;
}

int List(v1::ReviewService::Stub& stub, grpc::ClientContext& context,
         const ReviewFlags& f) {
  v1::ListCasesRequest request;
  for (absl::string_view s :
       absl::StrSplit(f.states.empty() ? "PENDING_REVIEW" : f.states, ',',
                      absl::SkipEmpty())) {
    v1::CaseState state;
    if (!v1::CaseState_Parse(absl::StrCat("CASE_STATE_", s), &state)) {
      std::fprintf(stderr, "kuromaru review: --states: unknown state\n");
      return kExitUsage;
    }
    request.add_states(state);
  }
  for (absl::string_view r :
       absl::StrSplit(f.reasons, ',', absl::SkipEmpty())) {
    request.add_reasons(std::string(r));
  }
  if (f.order != "priority" && f.order != "created") {
    std::fprintf(stderr, "kuromaru review: --order: priority or created\n");
    return kExitUsage;
  }
  request.set_order(f.order == "priority"
                        ? v1::ListCasesRequest::ORDER_PRIORITY
                        : v1::ListCasesRequest::ORDER_CREATED);
  request.set_page_size(static_cast<int32_t>(f.page_size));
  v1::ListCasesResponse response;
  grpc::Status status = stub.ListCases(&context, request, &response);
  if (!status.ok()) return RpcFailed("review", "ListCases", status);
  PrintJson(response);
  return kExitOk;
}

int Decide(v1::ReviewService::Stub& stub, grpc::ClientContext& context,
           const std::string& verb, const ReviewFlags& f) {
  const std::string key = f.key.empty() ? FreshKey() : f.key;
  v1::DecisionResponse response;
  grpc::Status status;
  const char* rpc = "";
  if (verb == "confirm") {
    v1::ConfirmCandidateRequest r;
    r.set_receipt_id(f.id);
    r.set_expected_version(f.version);
    r.set_idempotency_key(key);
    r.set_comment(f.comment);
    r.set_from_search(f.from_search);
    v1::EnrollmentKey* e = r.mutable_candidate();
    e->set_insurer_number(f.insurer);
    e->set_symbol(f.symbol);
    e->set_number(f.number);
    e->set_branch(f.branch);
    e->set_qualified_from(f.from);
    rpc = "ConfirmCandidate";
    status = stub.ConfirmCandidate(&context, r, &response);
  } else if (verb == "no-match") {
    v1::MarkNoMatchRequest r;
    r.set_receipt_id(f.id);
    r.set_expected_version(f.version);
    r.set_idempotency_key(key);
    r.set_comment(f.comment);
    rpc = "MarkNoMatch";
    status = stub.MarkNoMatch(&context, r, &response);
  } else {
    v1::ReopenCaseRequest r;
    r.set_receipt_id(f.id);
    r.set_expected_version(f.version);
    r.set_idempotency_key(key);
    r.set_comment(f.comment);
    rpc = "ReopenCase";
    status = stub.ReopenCase(&context, r, &response);
  }
  if (!status.ok()) return RpcFailed("review", rpc, status);
  PrintJson(response);
  return kExitOk;
}

}  // namespace

int RunReview(const std::vector<std::string>& args) {
  ReviewFlags f;
  Flags flags(
      "kuromaru review (list|show|confirm|no-match|reopen|search) --server "
      "HOST:PORT --token-file FILE [flags]",
      "The review workflow of a running server (role reviewer):\n"
      "  list      the queue, in priority order (or by creation)\n"
      "  show      one case with its candidates, evidence and history "
      "(audited)\n"
      "  confirm   a candidate: --id --version --insurer --symbol --number\n"
      "            --branch --from (or an enrollment found by search, with\n"
      "            --from-search)\n"
      "  no-match  --id --version\n"
      "  reopen    --id --version: undo a decision\n"
      "  search    the roster: --kana / --kanji / --number, with "
      "--birth-date,\n"
      "            --insurer, --month\n"
      "Answers are printed as JSON. A decision on a version the case has\n"
      "left fails ABORTED; rerun show and decide again.");
  Define(flags, &f);
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  const std::string verb =
      flags.positional().size() == 1 ? flags.positional()[0] : "";
  const bool decision =
      verb == "confirm" || verb == "no-match" || verb == "reopen";
  if (!decision && verb != "list" && verb != "show" && verb != "search") {
    return Usage(flags,
                 "expected list, show, confirm, no-match, reopen or search");
  }
  if ((decision || verb == "show") && f.id.empty()) {
    return Usage(flags, "--id is required");
  }
  if (decision && f.version <= 0) {
    return Usage(flags, "--version is required: the version you saw (show)");
  }
  auto client = grpc_service::Client::Connect(f.client);
  if (!client.ok()) {
    std::fprintf(stderr, "kuromaru review: %s\n",
                 std::string(client.status().message()).c_str());
    return kExitCannotRun;
  }
  auto stub = v1::ReviewService::NewStub(client->channel());
  grpc::ClientContext context;
  client->Prepare(&context, kRpcTimeout);
  if (verb == "list") return List(*stub, context, f);
  if (decision) return Decide(*stub, context, verb, f);
  if (verb == "show") {
    v1::GetCaseRequest request;
    request.set_receipt_id(f.id);
    v1::Case response;
    grpc::Status status = stub->GetCase(&context, request, &response);
    if (!status.ok()) return RpcFailed("review", "GetCase", status);
    PrintJson(response);
    return kExitOk;
  }
  v1::SearchRosterRequest request;
  request.set_name_kana(f.kana);
  request.set_name_kanji(f.kanji);
  request.set_birth_date(f.birth_date);
  request.set_number(f.number);
  request.set_insurer_number(f.insurer);
  request.set_service_month(f.month);
  request.set_limit(static_cast<int32_t>(f.limit));
  v1::SearchRosterResponse response;
  grpc::Status status = stub->SearchRoster(&context, request, &response);
  if (!status.ok()) return RpcFailed("review", "SearchRoster", status);
  PrintJson(response);
  return kExitOk;
}

}  // namespace kuromaru::cli
