// The reviewers' work on cases, as one use case that every edge shares: the
// gRPC ReviewService, the reviewer console's JSON API and `kuromaru review`
// all call this, so that the rules — who may decide, what a request must
// name, claims, searches — have one home. The case's own rules (states,
// versions, idempotency, audit and feed) are the case store's and the case
// state machine's (services/cases/).
//
//   ReviewDesk desk(store, [&] { return roster_manager->Current(); });
//   ASSIGN_OR_RETURN(store::CaseWrite w,
//                    desk.Decide(Action::kConfirm, request, actor));
//
// Claims: a reviewer who opens a case in the console holds it for a few
// minutes (a lease in the store, renewed while it stays open), so that two
// reviewers are not handed the same case. A decision on a case another
// reviewer holds is refused (FAILED_PRECONDITION naming who and until when);
// a decision ends the decider's claim.
//
// Thread-safe.
#ifndef KUROMARU_SERVICES_REVIEW_REVIEW_DESK_H_
#define KUROMARU_SERVICES_REVIEW_REVIEW_DESK_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kuromaru/v1/review.pb.h"
#include "services/reconcile/engine.h"
#include "services/reconcile/receipt_validation.h"
#include "services/store/case_store.h"

namespace kuromaru::review {

using reconcile::FieldViolation;

// A request that names the wrong things: INVALID_ARGUMENT with the fields.
struct Refusal {
  absl::Status status;
  std::vector<FieldViolation> violations;  // empty for other errors
};

enum class Action { kConfirm, kMarkNoMatch, kReopen };

struct DecisionRequest {
  std::string receipt_id;
  int64_t expected_version = 0;
  std::string idempotency_key;
  v1::EnrollmentKey candidate;  // kConfirm only
  bool from_search = false;     // kConfirm only: the candidate came from Search
  std::string comment;
};

struct DeskOptions {
  // How long a claim lasts without renewal. Default: 5 minutes.
  absl::Duration claim = absl::Minutes(5);
};

// A reviewer's hold on a case.
struct Claim {
  std::string owner;
  absl::Time expires_at;
};

class ReviewDesk {
 public:
  using EngineFn = std::function<std::shared_ptr<const reconcile::Engine>()>;

  // `store` must outlive the desk; `engine` gives the engine in service (null
  // before a roster is loaded).
  ReviewDesk(store::CaseStore* store, EngineFn engine,
             const DeskOptions& options = {});

  // The fields a decision request must have; empty when it is well formed.
  static std::vector<FieldViolation> CheckDecision(Action action,
                                                   const DecisionRequest& r);

  // A reviewer's decision. INVALID_ARGUMENT (with violations) for a request
  // missing a field; FAILED_PRECONDITION while another reviewer holds the
  // case; for from_search, NOT_FOUND when the roster in service has no such
  // enrollment (UNAVAILABLE while none is loaded); then the store's answers
  // (ABORTED, FAILED_PRECONDITION, NOT_FOUND, replays).
  absl::StatusOr<store::CaseWrite> Decide(Action action,
                                          const DecisionRequest& request,
                                          const store::Actor& actor,
                                          Refusal* refusal = nullptr);

  // Takes (or renews) the claim on an open case for `owner`.
  // FAILED_PRECONDITION when another reviewer holds it (the message names
  // who and until when; `holder` is filled).
  absl::StatusOr<Claim> TakeClaim(const std::string& receipt_id,
                                  const std::string& owner,
                                  std::optional<Claim>* holder = nullptr);
  // Gives a claim back; nothing when `owner` holds none.
  absl::Status ReleaseClaim(const std::string& receipt_id,
                            const std::string& owner);
  // Who holds the case now; nullopt when nobody does.
  absl::StatusOr<std::optional<Claim>> ClaimOf(const std::string& receipt_id);
  // Every live claim, by receipt id.
  absl::StatusOr<std::vector<std::pair<std::string, Claim>>> Claims();

  // Searches the roster in service. INVALID_ARGUMENT naming the field for a
  // bad query; UNAVAILABLE while no roster is loaded.
  absl::StatusOr<v1::SearchRosterResponse> Search(
      const v1::SearchRosterRequest& request);

  store::CaseStore& store() { return *store_; }
  std::shared_ptr<const reconcile::Engine> engine() const { return engine_(); }
  const DeskOptions& options() const { return options_; }

 private:
  absl::Status CheckFound(const v1::EnrollmentKey& key);

  store::CaseStore* const store_;
  const EngineFn engine_;
  const DeskOptions options_;
};

}  // namespace kuromaru::review

#endif  // KUROMARU_SERVICES_REVIEW_REVIEW_DESK_H_
