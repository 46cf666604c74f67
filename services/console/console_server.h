// The reviewer console's HTTP(S) server: the single-page app compiled into
// the binary (assets/assets.h) and its JSON API (console_api.h), served by
// cpp-httplib on `kuromaru serve --console-listen HOST:PORT`.
//
//   ASSIGN_OR_RETURN(auto server,
//                    ConsoleServer::Start(options, &api, tokens.get()));
//   …
//   server->Stop();
//
// Security, for every answer: a strict Content-Security-Policy (no inline
// script or style, nothing from elsewhere), nosniff, no referrer, no
// framing; API answers are not cached. Sign-in takes a bearer token of the
// token file (reviewer or admin role; claims cannot sign in) and answers with
// a session cookie (HttpOnly, SameSite=Strict, Secure under TLS) and a CSRF
// token; every other request but GET needs the session, and every mutation
// the CSRF header and a JSON body type. Bodies over `max_body_bytes` get 413,
// malformed JSON 400; the server goes on. The access log names method, path
// (no query: searches carry names) and status — never request bodies; a
// sign-in logs its subject.
//
// Plain HTTP only on a loopback address or with `insecure`; otherwise TLS
// with the certificate and key given. Thread-safe; handlers run on the
// server's own thread pool.
#ifndef KUROMARU_SERVICES_CONSOLE_CONSOLE_SERVER_H_
#define KUROMARU_SERVICES_CONSOLE_CONSOLE_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/console/console_api.h"
#include "services/console/sessions.h"
#include "services/grpc/auth.h"

namespace httplib {
class Server;
}

namespace kuromaru::console {

struct ConsoleOptions {
  // HOST:PORT; port 0 picks a free one (port() says which).
  std::string listen;
  // Serve plain HTTP on a non-loopback address. Default: false.
  bool insecure = false;
  // PEM files of the server's certificate chain and private key; both or
  // neither. Without them the console is plain HTTP (see above).
  std::string cert_file;
  std::string key_file;
  // A session ends after this long without a request. Default: 30 minutes.
  absl::Duration idle_timeout = absl::Minutes(30);
  // Largest request body accepted. Default: 64 KiB.
  size_t max_body_bytes = 64 * 1024;
};

class ConsoleServer {
 public:
  // Binds and starts serving in the background. `api` and `tokens` must
  // outlive the server. INVALID_ARGUMENT for a bad address, plain HTTP on a
  // public address without `insecure`, or only one of cert/key;
  // UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<ConsoleServer>> Start(
      const ConsoleOptions& options, ConsoleApi* api,
      grpc_service::TokenKeeper* tokens);

  ~ConsoleServer();  // Stop()s
  ConsoleServer(const ConsoleServer&) = delete;
  ConsoleServer& operator=(const ConsoleServer&) = delete;

  int port() const { return port_; }
  bool tls() const { return tls_; }
  // Stops accepting and waits for requests in flight.
  void Stop();

 private:
  ConsoleServer(const ConsoleOptions& options, ConsoleApi* api,
                grpc_service::TokenKeeper* tokens);
  void Routes();
  void SessionRoutes();
  void ApiRoutes();

  const ConsoleOptions options_;
  ConsoleApi* const api_;
  grpc_service::TokenKeeper* const tokens_;
  SessionTable sessions_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
  bool tls_ = false;
};

// Whether HOST of HOST:PORT is a loopback address (127.0.0.0/8, ::1,
// localhost).
bool IsLoopback(const std::string& listen);

}  // namespace kuromaru::console

#endif  // KUROMARU_SERVICES_CONSOLE_CONSOLE_SERVER_H_
