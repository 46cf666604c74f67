// OpenStore on PostgreSQL: a URI opens (and migrates) the shared store; a
// store that must exist already is refused while its schema is missing.
#include "gtest/gtest.h"
#include "services/store/open_store.h"
#include "tests/support/postgres_cluster.h"

namespace kuromaru::store {
namespace {

TEST(OpenStorePostgresTest, AUriOpensPostgres) {
  auto* cluster = ::kuromaru::testing::PostgresCluster::Shared();
  ASSERT_NE(cluster, nullptr);
  absl::StatusOr<std::string> dsn = cluster->CreateSchema("open_store_uri");
  ASSERT_TRUE(dsn.ok()) << dsn.status();
  StoreOpenOptions must_exist;
  must_exist.create = false;
  EXPECT_EQ(OpenStore(*dsn, must_exist).status().code(),
            absl::StatusCode::kFailedPrecondition);
  auto store = OpenStore(*dsn, StoreOpenOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->Availability().ok());
  store->reset();
  EXPECT_TRUE(OpenStore(*dsn, must_exist).ok());
}

}  // namespace
}  // namespace kuromaru::store
