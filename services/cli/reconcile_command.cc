// `kuromaru reconcile`: submits a receipts file to a running server over
// ReconcileStream (role claims) and writes one answer per receipt, in input
// order: how the claims system hands over a batch.
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

#include "kuromaru/v1/reconcile.grpc.pb.h"
#include "services/cli/client_flags.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/io/proto_json.h"
#include "services/io/receipts.h"

namespace kuromaru::cli {

// Long (about 100 lines): a third is the flag declarations and their help;
// the rest is one stream read and written in order.
int RunReconcile(const std::vector<std::string>& args) {
  grpc_service::ClientOptions client_options;
  std::string receipts_path;
  std::string out_path;
  Flags flags(
      "kuromaru reconcile --server HOST:PORT --token-file FILE --receipts "
      "FILE.jsonl --out FILE.jsonl",
      "Sends every receipt of a JSON Lines file to the server (one stream),\n"
      "which matches it and stores it as a case, and writes the answers\n"
      "(ReconcileResponse: result, case state and version, or the receipt's\n"
      "error) as JSON Lines in input order. Lines that are not JSON are\n"
      "reported with their number and not sent. Exit 1 if any receipt was\n"
      "refused.");
  AddClientFlags(flags, &client_options);
  flags.String("receipts", &receipts_path, "receipts, JSON Lines");
  flags.String("out", &out_path, "answers, JSON Lines (default: stdout)");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  if (receipts_path.empty()) {
    std::fprintf(stderr, "kuromaru reconcile: --receipts is required\n");
    return kExitUsage;
  }
  std::ifstream in(receipts_path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "kuromaru reconcile: cannot read %s\n",
                 receipts_path.c_str());
    return kExitCannotRun;
  }
  std::ofstream out_file;
  if (!out_path.empty()) {
    out_file.open(out_path, std::ios::binary | std::ios::trunc);
    if (!out_file) {
      std::fprintf(stderr, "kuromaru reconcile: cannot write %s\n",
                   out_path.c_str());
      return kExitCannotRun;
    }
  }
  auto client = grpc_service::Client::Connect(client_options);
  if (!client.ok()) {
    std::fprintf(stderr, "kuromaru reconcile: %s\n",
                 std::string(client.status().message()).c_str());
    return kExitCannotRun;
  }
  auto stub = v1::ReconcileService::NewStub(client->channel());
  grpc::ClientContext context;
  client->Prepare(&context, std::chrono::milliseconds(0));
  auto stream = stub->ReconcileStream(&context);

  int64_t bad_lines = 0;
  std::thread writer([&] {
    absl::Status read = io::ReadReceiptsJsonl(
        in,
        [&](int64_t, v1::Receipt& receipt) {
          v1::ReconcileRequest request;
          *request.mutable_receipt() = std::move(receipt);
          return stream->Write(request);
        },
        [&](int64_t line, const std::string& reason) {
          std::fprintf(stderr, "%s:%lld: %s\n", receipts_path.c_str(),
                       static_cast<long long>(line), reason.c_str());
          ++bad_lines;
          return true;
        });
    if (!read.ok()) {
      std::fprintf(stderr, "kuromaru reconcile: %s\n",
                   std::string(read.message()).c_str());
    }
    stream->WritesDone();
  });
  std::map<std::string, int64_t> by_state;
  int64_t refused = 0;
  v1::ReconcileResponse response;
  while (stream->Read(&response)) {
    std::string line = io::ToJsonLine(response);
    line.push_back('\n');  // JSON Lines: one answer per line
    if (out_file.is_open()) {
      out_file << line;
    } else {
      std::fwrite(line.data(), 1, line.size(), stdout);
    }
    if (response.status().code() != 0) {
      ++refused;
    } else {
      ++by_state[v1::CaseState_Name(response.state())];
    }
  }
  writer.join();
  grpc::Status status = stream->Finish();
  if (!status.ok()) {
    std::fprintf(stderr, "kuromaru reconcile: %s (%s)\n",
                 status.error_message().c_str(),
                 StatusCodeName(status.error_code()).c_str());
    return status.error_code() == grpc::StatusCode::UNAVAILABLE ? kExitCannotRun
                                                                : kExitFailure;
  }
  for (const auto& [state, n] : by_state) {
    std::fprintf(stderr, "%-26s %lld\n", state.c_str(),
                 static_cast<long long>(n));
  }
  std::fprintf(stderr, "%-26s %lld\n%-26s %lld\n", "refused",
               static_cast<long long>(refused), "unreadable lines",
               static_cast<long long>(bad_lines));
  return refused > 0 || bad_lines > 0 ? kExitFailure : kExitOk;
}

}  // namespace kuromaru::cli
