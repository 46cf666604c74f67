#include "services/cli/client_flags.h"

#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/util/json_util.h"
#include "services/cli/commands.h"

namespace kuromaru::cli {

void AddClientFlags(Flags& flags, grpc_service::ClientOptions* options) {
  flags.String("server", &options->server, "server address, HOST:PORT");
  flags.String("token-file", &options->token_file,
               "file holding the bearer token");
  flags.String("tls-ca", &options->tls_ca,
               "CA certificate (PEM) that signed the server's: enables TLS");
  flags.String("tls-cert", &options->tls_cert,
               "client certificate (PEM), for mTLS");
  flags.String("tls-key", &options->tls_key, "client key (PEM), for mTLS");
}

int RpcFailed(const char* command, const char* rpc,
              const grpc::Status& status) {
  std::fprintf(stderr, "kuromaru %s: %s: %s (%s)\n", command, rpc,
               status.error_message().c_str(),
               StatusCodeName(status.error_code()).c_str());
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ? kExitCannotRun
                                                              : kExitFailure;
}

std::string StatusCodeName(grpc::StatusCode code) {
  // gRPC's and abseil's canonical codes share their numbers.
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

void PrintJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  std::printf("%s", json.c_str());
}

}  // namespace kuromaru::cli
