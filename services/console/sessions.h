// Console sign-in sessions: a reviewer signs in once with a bearer token of
// the token file and then holds an opaque session id (an HttpOnly cookie) and
// a CSRF token that every state-changing request must echo in a header.
//
//   ASSIGN_OR_RETURN(Session s, sessions.Create("reviewer-tanaka", roles));
//   // Set-Cookie: km_session=<s.id>; the page keeps s.csrf_token.
//   const Session* now = sessions.Touch(id);   // null when expired or ended
//
// Sessions end on sign-out or after `idle_timeout` without a request; the
// ids and tokens are 256 random bits from the system's CSPRNG, compared in
// constant time. Sessions live in this process: a client of several replicas
// signs in again when the balancer moves it (deploy/README.md). Thread-safe.
#ifndef KUROMARU_SERVICES_CONSOLE_SESSIONS_H_
#define KUROMARU_SERVICES_CONSOLE_SESSIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kuromaru::console {

struct Session {
  std::string id;          // the cookie's value
  std::string csrf_token;  // the X-CSRF-Token header's
  std::string subject;     // the token's subject
  uint8_t roles = 0;       // grpc_service::Role bits
  absl::Time last_seen;
};

class SessionTable {
 public:
  explicit SessionTable(absl::Duration idle_timeout)
      : idle_timeout_(idle_timeout) {}

  // A new session. INTERNAL when the system gives no random bytes.
  absl::StatusOr<Session> Create(std::string subject, uint8_t roles);

  // The session with this id, its idle clock restarted; nullopt when there is
  // none or it expired (an expired one is removed).
  std::optional<Session> Touch(std::string_view id);

  // Ends the session (sign-out). Unknown ids are ignored.
  void End(std::string_view id);

  // True when `token` is the session's CSRF token (constant-time compare).
  static bool CsrfMatches(const Session& session, std::string_view token);

  absl::Duration idle_timeout() const { return idle_timeout_; }

 private:
  void ExpireLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const absl::Duration idle_timeout_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Session> sessions_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace kuromaru::console

#endif  // KUROMARU_SERVICES_CONSOLE_SESSIONS_H_
