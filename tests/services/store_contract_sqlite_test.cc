// The case store contract suite (store_contract.h) against SQLite: in memory
// (reads share the writer's connection) and on a file (a pool of readers
// beside the group-committing writer).
#include "services/store/sqlite_store.h"
#include "tests/services/store_contract.h"

namespace kuromaru::store {
namespace {

absl::StatusOr<std::unique_ptr<CaseStore>> OpenMemory(
    const std::string& /*dir*/, std::function<absl::Time()> clock) {
  SqliteOptions options;
  options.clock = std::move(clock);
  return SqliteStore::Open(":memory:", options);
}

absl::StatusOr<std::unique_ptr<CaseStore>> OpenFile(
    const std::string& dir, std::function<absl::Time()> clock) {
  SqliteOptions options;
  options.clock = std::move(clock);
  return SqliteStore::Open(dir + "/cases.db", options);
}

INSTANTIATE_TEST_SUITE_P(
    Sqlite, StoreContractTest,
    ::testing::Values(StoreFactory{"memory", OpenMemory},
                      StoreFactory{"file", OpenFile}),
    [](const ::testing::TestParamInfo<StoreFactory>& info) {
      return info.param.name;
    });

}  // namespace
}  // namespace kuromaru::store
