// What every command that talks to a server shares: the flags --server,
// --token-file, --tls-ca, --tls-cert, --tls-key; how a failed call is
// reported; how an answer is printed.
#ifndef KUROMARU_SERVICES_CLI_CLIENT_FLAGS_H_
#define KUROMARU_SERVICES_CLI_CLIENT_FLAGS_H_

#include <string>

#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "services/cli/flags.h"
#include "services/grpc/client.h"

namespace kuromaru::cli {

void AddClientFlags(Flags& flags, grpc_service::ClientOptions* options);

// Prints "kuromaru COMMAND: RPC: message (CODE_NAME)" on stderr; the exit
// code: could-not-run when the server is unavailable, failure otherwise.
int RpcFailed(const char* command, const char* rpc, const grpc::Status& status);

// The canonical name of a status code ("PERMISSION_DENIED").
std::string StatusCodeName(grpc::StatusCode code);

// The message as indented JSON with proto field names, on stdout.
void PrintJson(const google::protobuf::Message& message);

}  // namespace kuromaru::cli

#endif  // KUROMARU_SERVICES_CLI_CLIENT_FLAGS_H_
