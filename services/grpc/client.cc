#include "services/grpc/client.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace kuromaru::grpc_service {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read ", what, " ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<Client> Client::Connect(const ClientOptions& options) {
  Client client;
  if (!options.token_file.empty()) {
    ASSIGN_OR_RETURN(std::string token,
                     ReadFile(options.token_file, "token file"));
    client.token_ = std::string(absl::StripAsciiWhitespace(token));
    if (client.token_.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("token file ", options.token_file, " is empty"));
    }
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.tls_ca.empty() && options.tls_cert.empty()) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    if (!options.tls_ca.empty()) {
      ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadFile(options.tls_ca, "CA"));
    }
    if (!options.tls_cert.empty() || !options.tls_key.empty()) {
      ASSIGN_OR_RETURN(ssl.pem_cert_chain,
                       ReadFile(options.tls_cert, "certificate"));
      ASSIGN_OR_RETURN(ssl.pem_private_key, ReadFile(options.tls_key, "key"));
    }
    credentials = grpc::SslCredentials(ssl);
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  // Calls spread over every address the target resolves to (the replicas
  // behind a headless Service), not pinned to the first.
  args.SetLoadBalancingPolicyName("round_robin");
  client.channel_ =
      grpc::CreateCustomChannel(options.server, credentials, args);
  return client;
}

void Client::Prepare(grpc::ClientContext* context,
                     std::chrono::milliseconds timeout) const {
  if (!token_.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  }
  if (timeout.count() > 0) {
    context->set_deadline(std::chrono::system_clock::now() + timeout);
  }
}

}  // namespace kuromaru::grpc_service
