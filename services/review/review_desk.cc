#include "services/review/review_desk.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "matcher/roster_search.h"

namespace kuromaru::review {
namespace {

constexpr char kPrefix[] = "review/";

std::string DateText(matcher::PackedDate date) {
  return date == 0 ? std::string() : absl::StrFormat("%08d", date);
}

std::string SexText(matcher::Sex sex) {
  return sex == matcher::Sex::kMale     ? "1"
         : sex == matcher::Sex::kFemale ? "2"
                                        : "";
}

// YYYYMM of a service month as sent; 0 when empty or malformed (it only marks
// enrollments valid then).
matcher::PackedMonth MonthOf(const std::string& text) {
  uint32_t month = 0;
  if (text.size() != 6 || !absl::SimpleAtoi(text, &month)) return 0;
  return month;
}

}  // namespace

ReviewDesk::ReviewDesk(store::CaseStore* store, EngineFn engine,
                       const DeskOptions& options)
    : store_(store), engine_(std::move(engine)), options_(options) {}

std::vector<FieldViolation> ReviewDesk::CheckDecision(
    Action action, const DecisionRequest& r) {
  std::vector<FieldViolation> out;
  if (r.receipt_id.empty()) out.push_back({"receipt_id", "is required"});
  if (r.idempotency_key.empty()) {
    out.push_back({"idempotency_key", "is required"});
  }
  if (r.expected_version <= 0) {
    out.push_back(
        {"expected_version", "is required: the version the reviewer saw"});
  }
  if (action == Action::kConfirm && r.candidate.insurer_number().empty()) {
    out.push_back({"candidate", "is required: one of the case's candidates"});
  }
  if (action == Action::kConfirm && r.from_search &&
      r.candidate.qualified_from().empty()) {
    out.push_back({"candidate.qualified_from",
                   "is required for an enrollment found by a search"});
  }
  return out;
}

absl::Status ReviewDesk::CheckFound(const v1::EnrollmentKey& key) {
  std::shared_ptr<const reconcile::Engine> engine = engine_();
  if (engine == nullptr) {
    return absl::UnavailableError("no roster is loaded to check the search");
  }
  uint32_t from = 0;
  if (key.qualified_from().size() != 8 ||
      !absl::SimpleAtoi(key.qualified_from(), &from) ||
      engine->matcher->roster().Find(key.insurer_number(), key.symbol(),
                                     key.number(), key.branch(),
                                     from) == matcher::kNoEnrollment) {
    return absl::NotFoundError(
        "the roster in service has no enrollment with that key");
  }
  return absl::OkStatus();
}

absl::StatusOr<store::CaseWrite> ReviewDesk::Decide(Action action,
                                                    const DecisionRequest& r,
                                                    const store::Actor& actor,
                                                    Refusal* refusal) {
  std::vector<FieldViolation> violations = CheckDecision(action, r);
  if (!violations.empty()) {
    absl::Status status =
        absl::InvalidArgumentError(reconcile::DescribeViolations(violations));
    if (refusal != nullptr) *refusal = {status, std::move(violations)};
    return status;
  }
  absl::StatusOr<std::optional<Claim>> held = ClaimOf(r.receipt_id);
  if (!held.ok()) return held.status();
  if (*held && (*held)->owner != actor.subject) {
    return absl::FailedPreconditionError(
        absl::StrCat("the case is claimed by ", (*held)->owner, " until ",
                     absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", (*held)->expires_at,
                                      absl::UTCTimeZone())));
  }
  if (action == Action::kConfirm && r.from_search) {
    if (absl::Status s = CheckFound(r.candidate); !s.ok()) return s;
  }
  store::ReviewerDecision d;
  d.receipt_id = r.receipt_id;
  d.expected_version = r.expected_version;
  d.idempotency_key = r.idempotency_key;
  d.candidate = r.candidate;
  d.from_search = r.from_search;
  d.comment = r.comment;
  d.actor = actor;
  absl::StatusOr<store::CaseWrite> written =
      action == Action::kConfirm       ? store_->Confirm(d)
      : action == Action::kMarkNoMatch ? store_->MarkNoMatch(d)
                                       : store_->Reopen(d);
  if (written.ok() && *held) {
    // A decided case is no longer anybody's to hold.
    ReleaseClaim(r.receipt_id, actor.subject).IgnoreError();
  }
  return written;
}

absl::StatusOr<Claim> ReviewDesk::TakeClaim(const std::string& receipt_id,
                                            const std::string& owner,
                                            std::optional<Claim>* holder) {
  absl::StatusOr<store::Lease> lease = store_->AcquireLease(
      store::ReviewLeaseName(receipt_id), owner, options_.claim);
  if (lease.ok()) return Claim{lease->owner, lease->expires_at};
  if (holder != nullptr &&
      lease.status().code() == absl::StatusCode::kFailedPrecondition) {
    absl::StatusOr<std::optional<Claim>> now = ClaimOf(receipt_id);
    if (now.ok()) *holder = *now;
  }
  return lease.status();
}

absl::Status ReviewDesk::ReleaseClaim(const std::string& receipt_id,
                                      const std::string& owner) {
  return store_->ReleaseLease(store::ReviewLeaseName(receipt_id), owner);
}

absl::StatusOr<std::optional<Claim>> ReviewDesk::ClaimOf(
    const std::string& receipt_id) {
  absl::StatusOr<store::Lease> lease =
      store_->GetLease(store::ReviewLeaseName(receipt_id));
  if (lease.status().code() == absl::StatusCode::kNotFound) {
    return std::optional<Claim>();
  }
  if (!lease.ok()) return lease.status();
  return std::optional<Claim>(Claim{lease->owner, lease->expires_at});
}

absl::StatusOr<std::vector<std::pair<std::string, Claim>>>
ReviewDesk::Claims() {
  absl::StatusOr<std::vector<store::Lease>> leases =
      store_->ListLeases(kPrefix);
  if (!leases.ok()) return leases.status();
  std::vector<std::pair<std::string, Claim>> out;
  for (const store::Lease& l : *leases) {
    if (l.name.rfind(kPrefix, 0) != 0) continue;
    out.emplace_back(l.name.substr(sizeof(kPrefix) - 1),
                     Claim{l.owner, l.expires_at});
  }
  return out;
}

absl::StatusOr<v1::SearchRosterResponse> ReviewDesk::Search(
    const v1::SearchRosterRequest& request) {
  std::shared_ptr<const reconcile::Engine> engine = engine_();
  if (engine == nullptr) return absl::UnavailableError("no roster is loaded");
  matcher::RosterQuery q;
  q.name_kana = request.name_kana();
  q.name_kanji = request.name_kanji();
  q.birth_date = request.birth_date();
  q.number = request.number();
  q.insurer_number = request.insurer_number();
  q.service_month = MonthOf(request.service_month());
  q.limit = request.limit() == 0 ? 20 : request.limit();
  absl::StatusOr<matcher::RosterSearch> found =
      matcher::SearchRoster(*engine->matcher->index(), q);
  if (!found.ok()) return found.status();
  const matcher::Roster& roster = engine->matcher->roster();
  v1::SearchRosterResponse out;
  out.set_truncated(found->truncated);
  out.set_roster_version(engine->roster_version);
  for (matcher::EnrollmentId e : found->enrollments) {
    const matcher::EnrollmentInfo info = roster.Info(e);
    v1::RosterMatch* m = out.add_matches();
    v1::EnrollmentKey* key = m->mutable_enrollment();
    key->set_insurer_number(std::string(info.insurer_number));
    key->set_symbol(std::string(info.symbol));
    key->set_number(std::string(info.number));
    key->set_branch(std::string(info.branch));
    key->set_qualified_from(DateText(info.qualified_from));
    m->set_qualified_until(DateText(info.qualified_until));
    m->set_name_kanji(std::string(info.name_kanji));
    m->set_name_kana(std::string(info.name_kana));
    m->set_birth_date(DateText(info.birth_date));
    m->set_sex(SexText(info.sex));
    if (engine->directory != nullptr) {
      if (const matcher::DirectoryEntry* d =
              engine->directory->Find(info.insurer_number)) {
        m->set_insurer_name(d->name);
      }
    }
    m->set_valid_in_service_month(q.service_month != 0 &&
                                  roster.CoversMonth(e, q.service_month));
  }
  return out;
}

}  // namespace kuromaru::review
