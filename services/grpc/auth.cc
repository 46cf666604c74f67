#include "services/grpc/auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"

namespace kuromaru::grpc_service {
namespace {

constexpr std::string_view kHashPrefix = "sha256:";

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

absl::Status LineError(std::string_view source, int line,
                       std::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(source), ":", line, ": ", std::string(reason)));
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kClaims:
      return "claims";
    case Role::kReviewer:
      return "reviewer";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

absl::StatusOr<Role> ParseRole(std::string_view name) {
  for (Role role : {Role::kClaims, Role::kReviewer, Role::kAdmin}) {
    if (name == RoleName(role)) return role;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown role \"", std::string(name), "\" (claims, reviewer or admin)"));
}

absl::StatusOr<TokenTable> TokenTable::Load(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("cannot read token file ", path));
  }
  // Whoever may write the file may grant themselves any role.
  if ((st.st_mode & S_IWOTH) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("token file ", path, " is writable by anyone"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read token file ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

absl::StatusOr<TokenTable> TokenTable::Parse(std::string_view text,
                                             std::string_view source) {
  TokenTable table;
  int line_number = 0;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (parts.size() != 3) {
      return LineError(source, line_number,
                       "expected \"sha256:<hex> <roles> <subject>\"");
    }
    absl::string_view hash = parts[0];
    if (!absl::ConsumePrefix(
            &hash, absl::string_view(kHashPrefix.data(), kHashPrefix.size())) ||
        hash.size() != 64 ||
        !IsLowerHex(std::string_view(hash.data(), hash.size()))) {
      return LineError(source, line_number,
                       "the hash must be sha256: and 64 lower-case hex digits");
    }
    Principal principal;
    principal.subject = std::string(parts[2]);
    for (absl::string_view name : absl::StrSplit(parts[1], ',')) {
      absl::StatusOr<Role> role =
          ParseRole(std::string_view(name.data(), name.size()));
      if (!role.ok()) {
        return LineError(source, line_number,
                         std::string(role.status().message()));
      }
      principal.roles |= static_cast<uint8_t>(*role);
    }
    if (!table.by_hash_.emplace(std::string(hash), principal).second) {
      return LineError(source, line_number, "the same token twice");
    }
  }
  return table;
}

const Principal* TokenTable::Find(std::string_view token) const {
  if (token.empty()) return nullptr;
  // Looking up the hash, not the token, keeps timing independent of how much
  // of a guessed token is right.
  auto it = by_hash_.find(Sha256Hex(token));
  return it == by_hash_.end() ? nullptr : &it->second;
}

absl::StatusOr<std::unique_ptr<TokenKeeper>> TokenKeeper::Open(
    const std::string& path) {
  std::unique_ptr<TokenKeeper> keeper(new TokenKeeper(path));
  bool changed = false;
  RETURN_IF_ERROR(keeper->Refresh(&changed));
  return keeper;
}

std::shared_ptr<const TokenTable> TokenKeeper::Current() const {
  absl::MutexLock lock(&mu_);
  return table_;
}

absl::Status TokenKeeper::Refresh(bool* changed) {
  *changed = false;
  struct stat st;
  if (stat(path_.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("cannot read token file ", path_));
  }
  const int64_t mtime_ns =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  {
    absl::MutexLock lock(&mu_);
    if (table_ != nullptr && mtime_ns == mtime_ns_ && st.st_size == size_) {
      return absl::OkStatus();
    }
  }
  ASSIGN_OR_RETURN(TokenTable table, TokenTable::Load(path_));
  absl::MutexLock lock(&mu_);
  table_ = std::make_shared<const TokenTable>(std::move(table));
  mtime_ns_ = mtime_ns;
  size_ = st.st_size;
  *changed = true;
  return absl::OkStatus();
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), size));
}

absl::StatusOr<std::string> NewToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return absl::InternalError("the system random generator failed");
  }
  std::string encoded;
  absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes),
      &encoded);
  return absl::StrCat("kmr_", encoded);
}

std::string TokenLine(std::string_view token, std::string_view roles,
                      std::string_view subject) {
  return absl::StrCat(std::string(kHashPrefix), Sha256Hex(token), " ",
                      std::string(roles), " ", std::string(subject));
}

}  // namespace kuromaru::grpc_service
