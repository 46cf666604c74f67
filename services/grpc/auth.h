// Who may call what: bearer tokens, kept only as SHA-256 hashes in a config
// file, mapped to roles.
//
//   # tokens.conf — one token per line: hash, roles, subject
//   sha256:9f86d0…  claims            claims-system
//   sha256:2c26b4…  reviewer          reviewer-tanaka
//   sha256:fcde2b…  admin,reviewer    ops
//
// `kuromaru token new --role R --subject S` makes a token and its line. The
// token itself is never stored by the server; a leaked config file does not
// give access. Roles: `claims` reconciles, `reviewer` reviews, `admin`
// administers rosters, models and jobs. A role does not imply another.
#ifndef KUROMARU_SERVICES_GRPC_AUTH_H_
#define KUROMARU_SERVICES_GRPC_AUTH_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace kuromaru::grpc_service {

enum class Role : uint8_t {
  kClaims = 1 << 0,
  kReviewer = 1 << 1,
  kAdmin = 1 << 2,
};

// "claims", "reviewer", "admin".
const char* RoleName(Role role);
// INVALID_ARGUMENT for an unknown name.
absl::StatusOr<Role> ParseRole(std::string_view name);

struct Principal {
  std::string subject;
  uint8_t roles = 0;  // Role bits
  bool Has(Role role) const {
    return (roles & static_cast<uint8_t>(role)) != 0;
  }
};

class TokenTable {
 public:
  // Reads a token file. INVALID_ARGUMENT naming the line of the first bad
  // entry (the file is the whole truth: a table with a bad line is not
  // half-loaded); NOT_FOUND when it cannot be read; FAILED_PRECONDITION when
  // others may read it (it should be mode 0600 or 0400, or a mounted secret).
  static absl::StatusOr<TokenTable> Load(const std::string& path);
  // The same, from text; `source` names it in errors.
  static absl::StatusOr<TokenTable> Parse(std::string_view text,
                                          std::string_view source);

  // The principal holding `token`, or nullptr.
  const Principal* Find(std::string_view token) const;

  size_t size() const { return by_hash_.size(); }

 private:
  // Key: the SHA-256 of the token, hex.
  absl::flat_hash_map<std::string, Principal> by_hash_;
};

// The token table in force, re-read when its file changes (a rotated
// Kubernetes secret, an edited file), so that tokens are added and revoked
// without a restart. Thread-safe.
class TokenKeeper {
 public:
  // Loads the file once; its errors are TokenTable::Load's.
  static absl::StatusOr<std::unique_ptr<TokenKeeper>> Open(
      const std::string& path);

  std::shared_ptr<const TokenTable> Current() const;

  // Re-reads the file if its modification time or size changed. A file that
  // no longer loads keeps the previous table in force and returns the error.
  // True in *changed when a new table took over.
  absl::Status Refresh(bool* changed);

 private:
  explicit TokenKeeper(std::string path) : path_(std::move(path)) {}

  const std::string path_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const TokenTable> table_ ABSL_GUARDED_BY(mu_);
  int64_t mtime_ns_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t size_ ABSL_GUARDED_BY(mu_) = -1;
};

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// A fresh token: 32 random bytes from the system CSPRNG, base64url, with a
// "kmr_" prefix so that a leaked token is recognisable in secret scanners.
absl::StatusOr<std::string> NewToken();

// The config line for `token`.
std::string TokenLine(std::string_view token, std::string_view roles,
                      std::string_view subject);

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_AUTH_H_
