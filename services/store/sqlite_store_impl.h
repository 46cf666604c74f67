// The SQLite CaseStore behind SqliteStore::Open. Internal: its methods are
// split by concern over sqlite_store.cc (opening, reads), sqlite_decisions.cc
// (intake, decisions, re-match: the case state machine's answers written
// out), sqlite_feed.cc (feed, audit), sqlite_admin.cc (purge),
// sqlite_counts.cc (counts by state) and sqlite_service_state.cc (roster,
// leases, checkpoints).
#ifndef KUROMARU_SERVICES_STORE_SQLITE_STORE_IMPL_H_
#define KUROMARU_SERVICES_STORE_SQLITE_STORE_IMPL_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/store/case_store.h"
#include "services/store/group_commit.h"
#include "services/store/sqlite_db.h"
#include "services/store/sqlite_store.h"
#include "services/store/wal_checkpointer.h"

namespace kuromaru::store {

class SqliteCaseStore final : public CaseStore {
 public:
  SqliteCaseStore(const SqliteOptions& options,
                  std::vector<std::unique_ptr<Connection>> readers);
  ~SqliteCaseStore() override;

  // Starts the writer on `writer` (already migrated), and the checkpointer
  // when there is one.
  absl::Status Start(std::unique_ptr<Connection> writer,
                     std::unique_ptr<WalCheckpointer> checkpointer);

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
  // A file store is there while the process is.
  absl::Status Availability() const override { return absl::OkStatus(); }

 private:
  using Work = std::function<absl::Status(Connection&)>;

  absl::Time Now() const;
  // Runs `work` in the next group commit; returns once it is durable.
  absl::Status Write(Work work);
  // Runs `fn` in a read transaction on a read connection.
  absl::Status Read(const Work& fn);

  // ListCases in the review queue's order (sqlite_queue.cc).
  absl::StatusOr<CasePage> ListQueue(const CaseFilter& filter);

  absl::StatusOr<CaseWrite> Decide(const ReviewerDecision& d,
                                   cases::ReviewAction action);
  absl::Status DecideIn(Connection& db, const ReviewerDecision& d,
                        cases::ReviewAction action, CaseWrite* out);
  absl::Status RematchIn(Connection& db, const Rematch& r, RematchWrite* out);
  // Publishes the newest change sequence to WaitForChanges.
  void AfterCommit(Connection& db);

  const SqliteOptions options_;
  std::unique_ptr<GroupCommitter> writer_;
  std::unique_ptr<WalCheckpointer> checkpointer_;

  absl::Mutex readers_mu_;
  std::vector<std::unique_ptr<Connection>> idle_readers_
      ABSL_GUARDED_BY(readers_mu_);
  const size_t reader_count_;

  absl::Mutex changes_mu_;
  int64_t latest_change_ ABSL_GUARDED_BY(changes_mu_) = 0;
};

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_SQLITE_STORE_IMPL_H_
