// The PostgreSQL CaseStore behind PostgresStore::Open. Internal: its methods
// are split by concern over postgres_store.cc (opening, reads, counts),
// postgres_decisions.cc (decisions, re-match, audited opening),
// postgres_feed.cc (feed, audit), postgres_admin.cc (purge) and
// postgres_service_state.cc (roster, leases, checkpoints); intake is
// postgres_intake.h's.
#ifndef KUROMARU_SERVICES_STORE_POSTGRES_STORE_IMPL_H_
#define KUROMARU_SERVICES_STORE_POSTGRES_STORE_IMPL_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "services/store/case_store.h"
#include "services/store/postgres_intake.h"
#include "services/store/postgres_listener.h"
#include "services/store/postgres_pool.h"
#include "services/store/postgres_store.h"

namespace kuromaru::store {

class PostgresCaseStore final : public CaseStore {
 public:
  PostgresCaseStore(const std::string& dsn, const PostgresOptions& options);
  ~PostgresCaseStore() override;

  // Connects, migrates and starts the listener.
  absl::Status Start();

  absl::StatusOr<CaseWrite> CreateCase(NewCase c) override;
  std::vector<absl::StatusOr<CaseWrite>> CreateCases(
      std::vector<NewCase> cases) override;
  absl::StatusOr<v1::Case> GetCase(const std::string& receipt_id,
                                   const Actor& actor,
                                   bool audit_open) override;
  absl::StatusOr<CasePage> ListCases(const CaseFilter& filter) override;
  absl::StatusOr<QueueCounts> CountQueue(const CaseFilter& filter) override;
  absl::StatusOr<std::vector<v1::CaseSummary>> ListSameSignature(
      const std::string& receipt_id, int limit) override;
  absl::StatusOr<CaseWrite> Confirm(const ReviewerDecision& d) override;
  absl::StatusOr<CaseWrite> MarkNoMatch(const ReviewerDecision& d) override;
  absl::StatusOr<CaseWrite> Reopen(const ReviewerDecision& d) override;
  absl::StatusOr<RematchWrite> ApplyRematch(const Rematch& r) override;
  absl::StatusOr<std::vector<OpenCase>> ListOpenCases(
      const OpenCaseScan& scan) override;
  absl::StatusOr<ChangePage> ListChanges(const std::string& since_cursor,
                                         int page_size) override;
  bool WaitForChanges(const std::string& since_cursor,
                      absl::Time deadline) override;
  absl::Status ExportAudit(
      const AuditFilter& filter,
      const std::function<absl::Status(const v1::AuditRecord&)>& sink) override;
  absl::StatusOr<int64_t> Purge(absl::Time closed_before,
                                const Actor& actor) override;
  absl::StatusOr<int64_t> CountPurgeable(absl::Time closed_before) override;
  absl::StatusOr<std::map<v1::CaseState, int64_t>> CountCases() override;
  absl::Status PutActiveRoster(const RosterState& state) override;
  absl::StatusOr<RosterState> GetActiveRoster() override;
  absl::StatusOr<Lease> AcquireLease(const std::string& name,
                                     const std::string& owner,
                                     absl::Duration ttl) override;
  absl::Status ReleaseLease(const std::string& name,
                            const std::string& owner) override;
  absl::StatusOr<Lease> GetLease(const std::string& name) override;
  absl::StatusOr<std::vector<Lease>> ListLeases(
      const std::string& prefix) override;
  absl::StatusOr<int64_t> DeleteExpiredLeases() override;
  absl::Status SaveCheckpoint(const std::string& name,
                              const std::string& value) override;
  absl::StatusOr<std::optional<std::string>> LoadCheckpoint(
      const std::string& name) override;
  StoreStats GetStats() const override;
  absl::Status Availability() const override { return pool_.Availability(); }

 private:
  absl::Time Now() const;
  // A write transaction; counted in the stats.
  absl::Status Write(const pg::Pool::Work& work);
  absl::Status Read(const pg::Pool::Work& work);

  // ListCases in the review queue's order (postgres_queue.cc).
  absl::StatusOr<CasePage> ListQueue(const CaseFilter& filter);

  absl::StatusOr<CaseWrite> Decide(const ReviewerDecision& d,
                                   cases::ReviewAction action);
  absl::Status DecideIn(pg::Connection& c, const ReviewerDecision& d,
                        cases::ReviewAction action, CaseWrite* out);
  absl::Status RematchIn(pg::Connection& c, const Rematch& r,
                         RematchWrite* out);
  // Whether the feed has a readable change after `since`.
  absl::StatusOr<bool> HasChangesAfter(const std::string& since);

  const std::string dsn_;
  const PostgresOptions options_;
  pg::Pool pool_;
  std::unique_ptr<pg::Listener> listener_;
  std::unique_ptr<pg::IntakeWriter> intake_;
  std::atomic<int64_t> writes_{0};
};

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_POSTGRES_STORE_IMPL_H_
