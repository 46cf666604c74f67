#include "services/console/sessions.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <utility>

#include "absl/strings/escaping.h"

namespace kuromaru::console {
namespace {

absl::StatusOr<std::string> RandomToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError("no random bytes for a session");
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

}  // namespace

absl::StatusOr<Session> SessionTable::Create(std::string subject,
                                             uint8_t roles) {
  absl::StatusOr<std::string> id = RandomToken();
  if (!id.ok()) return id.status();
  absl::StatusOr<std::string> csrf = RandomToken();
  if (!csrf.ok()) return csrf.status();
  Session s{*std::move(id), *std::move(csrf), std::move(subject), roles,
            absl::Now()};
  absl::MutexLock lock(&mu_);
  ExpireLocked(s.last_seen);
  sessions_[s.id] = s;
  return s;
}

std::optional<Session> SessionTable::Touch(std::string_view id) {
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  ExpireLocked(now);
  auto it = sessions_.find(std::string(id));
  if (it == sessions_.end()) return std::nullopt;
  if (now - it->second.last_seen > idle_timeout_) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second;
}

void SessionTable::End(std::string_view id) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(std::string(id));
  if (it != sessions_.end()) sessions_.erase(it);
}

bool SessionTable::CsrfMatches(const Session& session, std::string_view token) {
  return token.size() == session.csrf_token.size() &&
         CRYPTO_memcmp(token.data(), session.csrf_token.data(), token.size()) ==
             0;
}

// Removes expired sessions, at most once a minute: the table stays bounded
// by the sessions used within the idle timeout.
void SessionTable::ExpireLocked(absl::Time now) {
  if (now - last_sweep_ < absl::Minutes(1)) return;
  last_sweep_ = now;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - it->second.last_seen > idle_timeout_) {
      sessions_.erase(it++);
    } else {
      ++it;
    }
  }
}

}  // namespace kuromaru::console
