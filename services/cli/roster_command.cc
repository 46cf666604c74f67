// `kuromaru roster load|delta|status`: roster administration of a running
// server (role admin). The files are paths on the server, or files sent to
// it with --upload.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "kuromaru/v1/roster.grpc.pb.h"
#include "services/cli/client_flags.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/grpc/upload_dir.h"

namespace kuromaru::cli {
namespace {

constexpr std::chrono::milliseconds kRpcTimeout(30000);

int Failed(const char* rpc, const grpc::Status& status) {
  return RpcFailed("roster", rpc, status);
}

// Polls the operation until it ends; prints it. Exit 0 when it succeeded.
int Follow(const grpc_service::Client& client, v1::RosterService::Stub& stub,
           v1::RosterOperation op) {
  while (op.state() == v1::RosterOperation::STATE_RUNNING) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    grpc::ClientContext context;
    client.Prepare(&context, kRpcTimeout);
    v1::GetOperationRequest request;
    request.set_operation_id(op.operation_id());
    grpc::Status status = stub.GetOperation(&context, request, &op);
    if (!status.ok()) return Failed("GetOperation", status);
  }
  PrintJson(op);
  return op.state() == v1::RosterOperation::STATE_SUCCEEDED ? kExitOk
                                                            : kExitFailure;
}

constexpr int kUploadAttempts = 5;

// The bytes the server says it holds, from a FAILED_PRECONDITION on a chunk's
// offset; -1 when the status says nothing of it.
int64_t HeldBytes(const grpc::Status& status) {
  const std::string& message = status.error_message();
  const size_t at = message.find("holds ");
  if (status.error_code() != grpc::StatusCode::FAILED_PRECONDITION ||
      at == std::string::npos) {
    return -1;
  }
  const size_t start = at + 6;
  const size_t end = message.find(' ', start);
  int64_t held = -1;
  if (!absl::SimpleAtoi(message.substr(start, end - start), &held)) return -1;
  return held;
}

// Sends `local` to the server's upload directory, 1 MiB at a time; a chunk
// whose answer was lost is sent again, resuming where the server stopped.
// Returns the file's path on the server, or the exit code.
std::variant<std::string, int> Upload(const grpc_service::Client& client,
                                      v1::RosterService::Stub& stub,
                                      const std::string& local) {
  absl::StatusOr<std::string> sha256 = grpc_service::FileSha256(local);
  std::ifstream in(local, std::ios::binary);
  if (!sha256.ok() || !in) {
    std::fprintf(stderr, "kuromaru roster: --upload: cannot read %s\n",
                 local.c_str());
    return kExitCannotRun;
  }
  v1::UploadChunkRequest chunk;
  chunk.set_name(grpc_service::UploadNameOf(local));
  std::string data(grpc_service::UploadDir::kMaxChunkBytes, '\0');
  for (;;) {
    in.seekg(chunk.offset());
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    chunk.set_data(data.data(), static_cast<size_t>(in.gcount()));
    chunk.set_last(in.gcount() < static_cast<std::streamsize>(data.size()));
    if (chunk.last()) chunk.set_sha256(*sha256);
    in.clear();
    v1::UploadChunkResponse response;
    grpc::Status status;
    for (int attempt = 1; attempt <= kUploadAttempts; ++attempt) {
      grpc::ClientContext context;
      client.Prepare(&context, kRpcTimeout);
      status = stub.UploadChunk(&context, chunk, &response);
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
          status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::seconds(attempt));
    }
    const int64_t held = HeldBytes(status);
    if (held >= 0 && !chunk.upload_id().empty()) {
      chunk.set_offset(held);  // resume where the server stopped
      continue;
    }
    if (!status.ok()) return Failed("UploadChunk", status);
    if (!response.path().empty()) return response.path();
    chunk.set_upload_id(response.upload_id());
    chunk.clear_name();
    chunk.set_offset(response.received());
  }
}

}  // namespace

// Long (about 80 lines): half is the flag declarations and their help.
int RunRoster(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "build") {
    return RunRosterBuild(
        std::vector<std::string>(args.begin() + 1, args.end()));
  }
  grpc_service::ClientOptions client_options;
  std::string path;
  std::string upload;
  std::string encoding;
  std::string directory;
  int64_t max_errors = 0;
  bool no_wait = false;
  Flags flags(
      "kuromaru roster (load|delta|status) --server HOST:PORT --token-file "
      "FILE [--path FILE | --upload FILE]\n       kuromaru roster build "
      "--roster R.csv --out R.snap (see roster build --help)",
      "Roster administration of a running server (role admin). `load` "
      "replaces\n"
      "the roster with a snapshot, `delta` applies a delta file on top; both\n"
      "name a file on the server, run in the background, and swap the roster\n"
      "atomically when done — this command follows them to the end. "
      "`status`\n"
      "prints the roster in service. `load` takes a roster file (`roster "
      "build`)\n"
      "as well as a CSV.");
  AddClientFlags(flags, &client_options);
  flags.String("path", &path, "absolute path of the file on the server");
  flags.String("upload", &upload,
               "a local file: send it to the server's --upload-dir, then "
               "load it (instead of --path)");
  flags.String("encoding", &encoding, "utf-8 (default) or cp932");
  flags.String("directory", &directory,
               "load: absolute path of an insurer directory on the server");
  flags.Int("max-errors", &max_errors,
            "rejected rows allowed (0: the server's default budget)");
  flags.Bool("no-wait", &no_wait, "print the started operation and return");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  const std::string verb =
      flags.positional().size() == 1 ? flags.positional()[0] : "";
  if (verb != "load" && verb != "delta" && verb != "status") {
    std::fprintf(stderr, "kuromaru roster: expected load, delta or status\n%s",
                 flags.Usage().c_str());
    return kExitUsage;
  }
  if (verb != "load" && !directory.empty()) {
    std::fprintf(stderr, "kuromaru roster: --directory goes with load\n");
    return kExitUsage;
  }
  if (verb != "status" && path.empty() == upload.empty()) {
    std::fprintf(stderr,
                 "kuromaru roster: one of --path or --upload is required\n");
    return kExitUsage;
  }
  auto client = grpc_service::Client::Connect(client_options);
  if (!client.ok()) {
    std::fprintf(stderr, "kuromaru roster: %s\n",
                 std::string(client.status().message()).c_str());
    return kExitCannotRun;
  }
  auto stub = v1::RosterService::NewStub(client->channel());
  grpc::ClientContext context;
  client->Prepare(&context, kRpcTimeout);
  if (verb == "status") {
    v1::RosterStatus status_message;
    grpc::Status status = stub->GetRosterStatus(
        &context, v1::GetRosterStatusRequest(), &status_message);
    if (!status.ok()) return Failed("GetRosterStatus", status);
    PrintJson(status_message);
    return kExitOk;
  }
  if (!upload.empty()) {
    std::variant<std::string, int> sent = Upload(*client, *stub, upload);
    if (const int* exit = std::get_if<int>(&sent)) return *exit;
    path = std::get<std::string>(sent);
  }
  v1::RosterOperation op;
  grpc::Status status;
  if (verb == "load") {
    v1::LoadSnapshotRequest request;
    request.set_path(path);
    request.set_encoding(encoding);
    request.set_max_errors(max_errors);
    request.set_directory_path(directory);
    status = stub->LoadSnapshot(&context, request, &op);
  } else {
    v1::ApplyDeltaRequest request;
    request.set_path(path);
    request.set_encoding(encoding);
    request.set_max_errors(max_errors);
    status = stub->ApplyDelta(&context, request, &op);
  }
  if (!status.ok())
    return Failed(verb == "load" ? "LoadSnapshot" : "ApplyDelta", status);
  if (no_wait) {
    PrintJson(op);
    return kExitOk;
  }
  return Follow(*client, *stub, std::move(op));
}

}  // namespace kuromaru::cli
