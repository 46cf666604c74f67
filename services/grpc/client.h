// The client side of the kuromaru commands that talk to a server (roster,
// rematch --server, bench --server, health): one channel with the server's
// TLS settings, and the bearer token on every call.
#ifndef KUROMARU_SERVICES_GRPC_CLIENT_H_
#define KUROMARU_SERVICES_GRPC_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace kuromaru::grpc_service {

struct ClientOptions {
  // HOST:PORT, or a gRPC target resolving to several servers, over which
  // calls are spread round-robin: dns:///NAME:PORT (the replicas behind a
  // headless Service), ipv4:HOST:PORT,HOST:PORT.
  std::string server = "127.0.0.1:50051";
  // A file holding the bearer token (one line). Empty: no token.
  std::string token_file;
  // TLS: the CA that signed the server's certificate (PEM); with a client
  // certificate and key, mTLS. Empty: plaintext.
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
};

class Client {
 public:
  // NOT_FOUND / INVALID_ARGUMENT for unreadable or empty files.
  static absl::StatusOr<Client> Connect(const ClientOptions& options);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // Adds the token and a deadline `timeout` from now (none when zero).
  void Prepare(grpc::ClientContext* context,
               std::chrono::milliseconds timeout) const;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::string token_;
};

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_CLIENT_H_
