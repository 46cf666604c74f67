// Schema migrations of the PostgreSQL store on a database an earlier
// release left: schema v2 (the review queue) fills its columns for the
// cases already stored.
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/cases/queue_traits.h"
#include "services/store/postgres_store.h"
#include "tests/services/store_contract.h"
#include "tests/support/postgres_cluster.h"

namespace kuromaru::store {
namespace {

// A result in review for a named person born on a known date, whose top
// candidate leads the next by `lead` bits.
v1::MatchResult Named(double lead) {
  v1::MatchResult m = MakeResult(v1::DECISION_REVIEW, 2);
  m.mutable_candidates(0)->set_match_weight(10);
  m.mutable_candidates(1)->set_match_weight(10 - lead);
  m.mutable_normalized()->set_name_kana_key("ヤマダハナコ");
  m.mutable_normalized()->set_birth_date("19800229");
  return m;
}

TEST(PostgresMigrationTest, SchemaV2FillsTheQueueOfStoredCases) {
  auto* cluster = ::kuromaru::testing::PostgresCluster::Shared();
  ASSERT_NE(cluster, nullptr);
  const std::string schema = "migrate_v2";
  absl::StatusOr<std::string> dsn = cluster->CreateSchema(schema);
  ASSERT_TRUE(dsn.ok()) << dsn.status();
  {
    auto store = PostgresStore::Open(*dsn, PostgresOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    const Actor job{"job", "job", "r", ""};
    for (const auto& [id, lead] : {std::pair{"wide", 8.0}, {"close", 1.0}}) {
      ASSERT_TRUE(
          (*store)->CreateCase({MakeReceipt(id), Named(lead), job}).ok());
    }
    ASSERT_TRUE((*store)
                    ->CreateCase({MakeReceipt("nobody"),
                                  MakeResult(v1::DECISION_NO_MATCH, 0), job})
                    .ok());
  }
  // The database as schema v1 left it: no queue columns or indexes.
  ASSERT_TRUE(cluster
                  ->RunAsSuperuser(absl::StrCat(
                      "SET search_path = ", schema,
                      "; ALTER TABLE cases DROP COLUMN reasons, DROP COLUMN "
                      "lead, DROP COLUMN lead_sort, DROP COLUMN signature; "
                      "DELETE FROM schema_version WHERE version = 2"))
                  .ok());

  auto store = PostgresStore::Open(*dsn, PostgresOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  CaseFilter f;
  f.order = CaseFilter::Order::kPriority;
  f.states = {v1::CASE_STATE_PENDING_REVIEW, v1::CASE_STATE_UNMATCHED};
  absl::StatusOr<CasePage> page = (*store)->ListCases(f);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->cases.size(), 3u);
  EXPECT_EQ(page->cases[0].receipt_id(), "close");
  EXPECT_DOUBLE_EQ(page->cases[0].lead(), 1);
  EXPECT_EQ(page->cases[1].receipt_id(), "wide");
  EXPECT_EQ(page->cases[2].receipt_id(), "nobody");
  absl::StatusOr<std::vector<v1::CaseSummary>> same =
      (*store)->ListSameSignature("close", 10);
  ASSERT_TRUE(same.ok()) << same.status();
  ASSERT_EQ(same->size(), 1u);
  EXPECT_EQ((*same)[0].receipt_id(), "wide");
  CaseFilter none;
  none.reasons = cases::kNoCandidate;
  absl::StatusOr<QueueCounts> counts = (*store)->CountQueue(none);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->total, 1);
}

}  // namespace
}  // namespace kuromaru::store
