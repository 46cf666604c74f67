// The flags every command that talks to a server shares: --server,
// --token-file, --tls-ca, --tls-cert, --tls-key.
#ifndef KUROMARU_SERVICES_CLI_CLIENT_FLAGS_H_
#define KUROMARU_SERVICES_CLI_CLIENT_FLAGS_H_

#include "services/cli/flags.h"
#include "services/grpc/client.h"

namespace kuromaru::cli {

void AddClientFlags(Flags& flags, grpc_service::ClientOptions* options);

}  // namespace kuromaru::cli

#endif  // KUROMARU_SERVICES_CLI_CLIENT_FLAGS_H_
