#include "services/rematch/workers.h"

#include <utility>

#include "absl/status/status.h"
#include "base/log.h"

namespace kuromaru::rematch {

absl::StatusOr<std::unique_ptr<LeaseKeeper>> LeaseKeeper::Acquire(
    store::ServiceState& store, const std::string& name,
    const std::string& owner, absl::Duration ttl) {
  absl::StatusOr<store::Lease> lease = store.AcquireLease(name, owner, ttl);
  if (!lease.ok()) return lease.status();
  std::unique_ptr<LeaseKeeper> keeper(new LeaseKeeper(store, name, owner, ttl));
  keeper->renewer_ = std::thread([k = keeper.get()] { k->Renew(); });
  return keeper;
}

LeaseKeeper::LeaseKeeper(store::ServiceState& store, std::string name,
                         std::string owner, absl::Duration ttl)
    : store_(store),
      name_(std::move(name)),
      owner_(std::move(owner)),
      ttl_(ttl) {}

LeaseKeeper::~LeaseKeeper() { Release(); }

void LeaseKeeper::Renew() {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), ttl_ / 3)) {
    mu_.Unlock();
    absl::StatusOr<store::Lease> lease =
        store_.AcquireLease(name_, owner_, ttl_);
    mu_.Lock();
    if (!lease.ok()) {
      base::Log(base::LogLevel::kError, "rematch lease lost",
                {{"job", name_}, {"status", lease.status().ToString()}});
      lost_ = true;
      return;
    }
  }
}

void LeaseKeeper::Release() {
  if (released_) return;
  released_ = true;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (renewer_.joinable()) renewer_.join();
  absl::Status s = store_.ReleaseLease(name_, owner_);
  if (!s.ok()) {
    base::Log(base::LogLevel::kWarning, "rematch lease not released",
              {{"job", name_}, {"status", s.ToString()}});
  }
}

Applier::Applier(store::CaseRepository& store, int concurrency,
                 store::Actor actor)
    : store_(store), actor_(std::move(actor)) {
  for (int i = 0; i < concurrency; ++i)
    threads_.emplace_back([this] { Work(); });
}

Applier::~Applier() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
}

void Applier::Start(const std::vector<store::OpenCase>* page,
                    std::vector<std::optional<v1::MatchResult>> results) {
  absl::MutexLock lock(&mu_);
  page_ = page;
  results_ = std::move(results);
  outcomes_.assign(page->size(), std::nullopt);
  next_ = 0;
  done_ = 0;
}

std::vector<Outcome> Applier::Wait() {
  absl::MutexLock lock(&mu_);
  if (page_ == nullptr) return {};
  auto all_done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return done_ == page_->size();
  };
  mu_.Await(absl::Condition(&all_done));
  page_ = nullptr;
  results_.clear();
  return std::move(outcomes_);
}

void Applier::Work() {
  auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || (page_ != nullptr && next_ < page_->size());
  };
  absl::MutexLock lock(&mu_);
  while (true) {
    mu_.Await(absl::Condition(&has_work));
    if (stopping_) return;
    const size_t i = next_++;
    const store::OpenCase& c = (*page_)[i];
    std::optional<v1::MatchResult>& result = results_[i];
    mu_.Unlock();
    const Outcome o = Apply(c, std::move(result));
    mu_.Lock();
    outcomes_[i] = o;
    ++done_;
  }
}

Outcome Applier::Apply(const store::OpenCase& c,
                       std::optional<v1::MatchResult> result) const {
  if (!result) return std::nullopt;
  store::Rematch r;
  r.receipt_id = c.receipt_id;
  r.expected_version = c.version;
  r.result = *std::move(result);
  r.actor = actor_;
  // A reviewer may have moved the case since the page was read: look again,
  // and leave it alone unless it is still open.
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::StatusOr<store::RematchWrite> w = store_.ApplyRematch(r);
    if (w.ok()) return w->outcome;
    if (absl::IsNotFound(w.status())) return store::RematchOutcome::kSkipped;
    if (!absl::IsAborted(w.status())) break;
    absl::StatusOr<v1::Case> now = store_.GetCase(c.receipt_id, actor_, false);
    if (!now.ok()) break;
    if (!cases::IsOpen(now->state())) return store::RematchOutcome::kSkipped;
    r.expected_version = now->version();
  }
  base::Log(base::LogLevel::kWarning, "rematch of a case failed",
            {{"receipt_id", c.receipt_id}});
  return std::nullopt;
}

}  // namespace kuromaru::rematch
