// The results feed and the audit trail: what changed, in commit order, for
// the claims system; who did what, for auditors. Part of the case store
// contract (case_store.h).
//
// The feed has one entry per versioned change of a case (intake, decision,
// re-match); the audit trail one row per change and per audited opening,
// never updated or deleted (rows outlive CaseRepository::Purge).
//
// An implementation never skips a change: a follower that reads every page
// from its cursor sees each committed change once, including changes whose
// transactions committed after a later-numbered one started (with several
// writers, a store whose positions are assigned before commit must hold the
// cursor behind transactions still in flight).
//
// Thread-safe.
#ifndef KUROMARU_SERVICES_STORE_CHANGE_FEED_H_
#define KUROMARU_SERVICES_STORE_CHANGE_FEED_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kuromaru/v1/review.pb.h"

namespace kuromaru::store {

struct ChangePage {
  std::vector<v1::Change> changes;  // in commit order
  // Resume from here; equals the given cursor when nothing was new.
  std::string next_cursor;
};

struct AuditFilter {
  std::optional<absl::Time> from;  // inclusive
  std::optional<absl::Time> to;    // exclusive
  std::string receipt_id;          // empty: all
};

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;

  // Every change after since_cursor (an opaque string a previous page gave;
  // empty: from the first), at most page_size (1..1000; 0 means 100).
  // INVALID_ARGUMENT for a bad cursor. A change carries the case's result
  // while it is the case's latest version; a superseded change carries its
  // state, version and resolution only (the later change, further on in the
  // feed, has the result).
  virtual absl::StatusOr<ChangePage> ListChanges(
      const std::string& since_cursor, int page_size) = 0;

  // Blocks until a change after since_cursor is committed (true) or the
  // deadline passes (false). For the server's change stream.
  virtual bool WaitForChanges(const std::string& since_cursor,
                              absl::Time deadline) = 0;

  // Calls `sink` for every audit row matching the filter, oldest first;
  // stops at the first error `sink` returns and returns it. Rows are read a
  // page at a time and `sink` runs outside any transaction, so a slow
  // consumer holds up no writer (and `sink` may call the store).
  virtual absl::Status ExportAudit(
      const AuditFilter& filter,
      const std::function<absl::Status(const v1::AuditRecord&)>& sink) = 0;
};

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_CHANGE_FEED_H_
