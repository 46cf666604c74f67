// TLS and mTLS on the real server: certificates made with the openssl
// command, a plaintext health port for probes, and callers without a client
// certificate refused.
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::RunKuromaru;
using ::kuromaru::testing::ServerProcess;
using ::testing::HasSubstr;

int Shell(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str());
}

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(::testing::TempDir() + "/kuromaru_tls_XXXXXX");
    ASSERT_NE(mkdtemp(dir_->data()), nullptr);
    const std::string d = *dir_;
    // A CA, a server certificate for 127.0.0.1 and a client certificate.
    ASSERT_EQ(Shell("cd " + d +
                    " && openssl req -x509 -newkey rsa:2048 -nodes -days 2"
                    " -keyout ca.key -out ca.crt -subj /CN=kuromaru-test-ca"),
              0);
    for (const std::string name : {"server", "client"}) {
      const std::string ext = name == "server"
                                  ? "subjectAltName=IP:127.0.0.1,DNS:localhost"
                                  : "extendedKeyUsage=clientAuth";
      ASSERT_EQ(Shell("cd " + d + " && openssl req -newkey rsa:2048 -nodes" +
                      " -keyout " + name + ".key -out " + name + ".csr" +
                      " -subj /CN=kuromaru-" + name),
                0);
      std::ofstream(d + "/" + name + ".ext") << ext << "\n";
      ASSERT_EQ(Shell("cd " + d + " && openssl x509 -req -in " + name +
                      ".csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2" +
                      " -extfile " + name + ".ext -out " + name + ".crt"),
                0);
    }
    auto token =
        RunKuromaru({"token", "new", "--role", "admin", "--subject", "ops"});
    ASSERT_EQ(token.exit_code, 0) << token.err;
    std::ofstream(d + "/admin.token") << token.out;
    std::ofstream(d + "/tokens.conf") << token.err;
    chmod((d + "/tokens.conf").c_str(), 0600);
  }

  static std::unique_ptr<ServerProcess> Start(bool mtls) {
    const std::string d = *dir_;
    std::vector<std::string> args = {
        "--store",         d + (mtls ? "/mtls.db" : "/tls.db"),
        "--auth-config",   d + "/tokens.conf",
        "--tls-cert",      d + "/server.crt",
        "--tls-key",       d + "/server.key",
        "--health-listen", "127.0.0.1:0"};
    if (mtls) {
      args.push_back("--tls-client-ca");
      args.push_back(d + "/ca.crt");
    }
    auto server = ServerProcess::Start(args);
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }

  static std::vector<std::string> Status(const ServerProcess& server,
                                         bool client_cert) {
    const std::string d = *dir_;
    std::vector<std::string> args = {
        "roster",       "status",           "--server", server.address(),
        "--token-file", d + "/admin.token", "--tls-ca", d + "/ca.crt"};
    if (client_cert) {
      args.insert(args.end(), {"--tls-cert", d + "/client.crt", "--tls-key",
                               d + "/client.key"});
    }
    return args;
  }

  static std::string* dir_;
};

std::string* TlsTest::dir_ = nullptr;

TEST_F(TlsTest, TlsServesVerifiedClientsAndHealthInPlaintext) {
  auto server = Start(/*mtls=*/false);
  ASSERT_NE(server, nullptr);
  ASSERT_GT(server->health_port(), 0) << server->Logs();
  // Probes: plaintext health, no credentials.
  auto health =
      RunKuromaru({"health", "--server",
                   "127.0.0.1:" + std::to_string(server->health_port())});
  EXPECT_EQ(health.exit_code, 0) << health.err;
  EXPECT_THAT(health.out, HasSubstr("SERVING"));
  // Over TLS with the CA: the API answers.
  auto status = RunKuromaru(Status(*server, /*client_cert=*/false));
  EXPECT_EQ(status.exit_code, 0) << status.err;
  // A plaintext client on the TLS port gets nothing.
  auto plaintext =
      RunKuromaru({"roster", "status", "--server", server->address(),
                   "--token-file", *dir_ + "/admin.token"});
  EXPECT_NE(plaintext.exit_code, 0);
  // Health over TLS on the API port, with the CA; not in plaintext.
  auto tls_health = RunKuromaru(
      {"health", "--server", server->address(), "--tls-ca", *dir_ + "/ca.crt"});
  EXPECT_EQ(tls_health.exit_code, 0) << tls_health.err;
  EXPECT_THAT(tls_health.out, HasSubstr("SERVING"));
  auto plaintext_health = RunKuromaru(
      {"health", "--server", server->address(), "--timeout-seconds", "3"});
  EXPECT_NE(plaintext_health.exit_code, 0);
}

TEST_F(TlsTest, MutualTlsRefusesACallerWithoutAClientCertificate) {
  auto server = Start(/*mtls=*/true);
  ASSERT_NE(server, nullptr);
  auto with_cert = RunKuromaru(Status(*server, /*client_cert=*/true));
  EXPECT_EQ(with_cert.exit_code, 0) << with_cert.err;
  auto without = RunKuromaru(Status(*server, /*client_cert=*/false));
  EXPECT_NE(without.exit_code, 0) << without.out;
  // Health over mTLS with the client certificate.
  auto mtls_health =
      RunKuromaru({"health", "--server", server->address(), "--tls-ca",
                   *dir_ + "/ca.crt", "--tls-cert", *dir_ + "/client.crt",
                   "--tls-key", *dir_ + "/client.key"});
  EXPECT_EQ(mtls_health.exit_code, 0) << mtls_health.err;
  // The plaintext health port still answers probes.
  auto health =
      RunKuromaru({"health", "--server",
                   "127.0.0.1:" + std::to_string(server->health_port())});
  EXPECT_EQ(health.exit_code, 0) << health.err;
}

TEST_F(TlsTest, UnreadableCertificateFilesCannotRun) {
  auto result = RunKuromaru(
      {"serve", "--listen", "127.0.0.1:0", "--store", *dir_ + "/x.db",
       "--auth-config", *dir_ + "/tokens.conf", "--tls-cert",
       *dir_ + "/no-such.crt", "--tls-key", *dir_ + "/server.key"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_THAT(result.err, HasSubstr("tls-cert"));
}

}  // namespace
}  // namespace kuromaru
