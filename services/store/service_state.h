// What the service and its jobs coordinate through the store: the roster and
// model in service (reloaded on restart), leases (one nightly job per shard;
// one reviewer per case in the console), and the jobs' checkpoints. Part of
// the case store contract (case_store.h).
//
//   // A reviewer claims a case for five minutes; others see it taken.
//   absl::StatusOr<Lease> claim = store->AcquireLease(
//       ReviewLeaseName(receipt_id), "alice", absl::Minutes(5));
//   absl::StatusOr<Lease> holder = store->GetLease(ReviewLeaseName(id));
//
// Leases expire by the store's clock: a holder that dies frees what it held
// after at most its time-to-live.
//
// Thread-safe.
#ifndef KUROMARU_SERVICES_STORE_SERVICE_STATE_H_
#define KUROMARU_SERVICES_STORE_SERVICE_STATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kuromaru::store {

// The roster and model in service, and the files they were loaded from.
struct RosterState {
  std::string version;
  std::string snapshot_path;
  std::vector<std::string> delta_paths;  // in the order applied
  std::string encoding = "utf-8";        // of the roster files and directory
  std::string directory_path;            // empty: none
  std::string model_path;                // empty: the built-in model
  std::string model_version;
  absl::Time updated_at;  // set by the store
};

struct Lease {
  std::string name;
  std::string owner;
  absl::Time expires_at;
};

// The lease a reviewer holds on a case while deciding it.
std::string ReviewLeaseName(const std::string& receipt_id);

class ServiceState {
 public:
  virtual ~ServiceState() = default;

  // The roster and model in service. GetActiveRoster is NOT_FOUND before
  // the first Put. INVALID_ARGUMENT for a path holding a line break.
  virtual absl::Status PutActiveRoster(const RosterState& state) = 0;
  virtual absl::StatusOr<RosterState> GetActiveRoster() = 0;

  // Takes or renews the lease `name` for `owner` until now + ttl.
  // FAILED_PRECONDITION while another owner holds a live lease, naming the
  // holder and when the lease expires.
  virtual absl::StatusOr<Lease> AcquireLease(const std::string& name,
                                             const std::string& owner,
                                             absl::Duration ttl) = 0;
  // Releases the lease if `owner` holds it; otherwise does nothing.
  virtual absl::Status ReleaseLease(const std::string& name,
                                    const std::string& owner) = 0;
  // The live lease `name`; NOT_FOUND when nobody holds it (or it expired).
  virtual absl::StatusOr<Lease> GetLease(const std::string& name) = 0;
  // The live leases whose names start with `prefix`, by name: which cases
  // reviewers hold, for a list of cases.
  virtual absl::StatusOr<std::vector<Lease>> ListLeases(
      const std::string& prefix) = 0;

  // Removes the leases that expired: they hold nothing, and a reviewer's
  // claim on each case opened would otherwise stay a row for good. Returns
  // how many went.
  virtual absl::StatusOr<int64_t> DeleteExpiredLeases() = 0;

  // A job's checkpoint; LoadCheckpoint is nullopt when none was saved under
  // `name`.
  virtual absl::Status SaveCheckpoint(const std::string& name,
                                      const std::string& value) = 0;
  virtual absl::StatusOr<std::optional<std::string>> LoadCheckpoint(
      const std::string& name) = 0;
};

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_SERVICE_STATE_H_
