// The durable case store: the contract every implementation keeps (SQLite
// now, sqlite_store.h; PostgreSQL next), in three parts:
//
//   case_repository.h  cases and decisions: intake, reviewers' decisions,
//                      the nightly re-match, listing, retention
//   change_feed.h      the results feed and the audit trail
//   service_state.h    the roster and model in service, leases, checkpoints
//
// A caller that needs one part takes that interface; the server and the
// jobs hold a CaseStore. Cases, their history and the feed hold the wire
// forms (kuromaru.v1 protos); the store knows nothing of how matching works,
// and the rules of a case's states are the case state machine's
// (services/cases/). Every implementation passes the contract suite in
// tests/services/store_contract_*_test.cc.
//
// Thread-safe: every method may be called concurrently. A write returns only
// once it is durable.
#ifndef KUROMARU_SERVICES_STORE_CASE_STORE_H_
#define KUROMARU_SERVICES_STORE_CASE_STORE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "services/store/case_repository.h"
#include "services/store/change_feed.h"
#include "services/store/service_state.h"

namespace kuromaru::store {

struct StoreStats {
  int64_t writes = 0;   // write requests completed (including failed ones)
  int64_t commits = 0;  // transactions committed; < writes under group commit
};

class CaseStore : public CaseRepository,
                  public ChangeFeed,
                  public ServiceState {
 public:
  ~CaseStore() override = default;

  virtual StoreStats GetStats() const = 0;

  // OK while the store can take writes as far as it knows; UNAVAILABLE,
  // with the reason, while its database cannot be reached (writes then fail
  // UNAVAILABLE too, and nothing they did is acknowledged). Answers from
  // what the store last saw, without I/O, so that health checks may ask
  // often.
  virtual absl::Status Availability() const = 0;
};

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_CASE_STORE_H_
