// The case store contract suite (tests/services/store_contract.h) against
// PostgreSQL: each test gets a fresh schema of the process's private
// cluster. The store takes the fixture's clock for the times it writes and
// for lease expiry, as SQLite does.
#include <atomic>

#include "absl/strings/str_cat.h"
#include "services/store/postgres_store.h"
#include "tests/services/store_contract.h"
#include "tests/support/postgres_cluster.h"

namespace kuromaru::store {
namespace {

absl::StatusOr<std::unique_ptr<CaseStore>> OpenPostgres(
    const std::string& /*dir*/, std::function<absl::Time()> clock) {
  static std::atomic<int> serial{0};
  ::kuromaru::testing::PostgresCluster* cluster =
      ::kuromaru::testing::PostgresCluster::Shared();
  if (cluster == nullptr) return absl::FailedPreconditionError("no cluster");
  absl::StatusOr<std::string> dsn =
      cluster->CreateSchema(absl::StrCat("contract_", ++serial));
  if (!dsn.ok()) return dsn.status();
  PostgresOptions options;
  options.clock = std::move(clock);
  return PostgresStore::Open(*dsn, options);
}

INSTANTIATE_TEST_SUITE_P(
    Postgres, StoreContractTest,
    ::testing::Values(StoreFactory{"postgres", OpenPostgres}),
    [](const ::testing::TestParamInfo<StoreFactory>& param) {
      return param.param.name;
    });

}  // namespace
}  // namespace kuromaru::store
