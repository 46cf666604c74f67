#include "services/cli/client_flags.h"

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

}  // namespace kuromaru::cli
