#include "tests/services/store_contract.h"

#include <utility>

namespace kuromaru::store {

v1::Receipt MakeReceipt(const std::string& id, const std::string& month,
                        const std::string& insurer) {
  v1::Receipt r;
  r.set_receipt_id(id);
  r.set_service_month(month);
  r.set_insurer_number(insurer);
  r.set_name_kana("ヤマダ タロウ");
  r.set_birth_date("19750123");
  return r;
}

v1::Candidate MakeCandidate(const std::string& insurer,
                            const std::string& number, double p) {
  v1::Candidate c;
  c.set_insurer_number(insurer);
  c.set_symbol("12");
  c.set_number(number);
  c.set_qualified_from("20150401");
  c.set_probability(p);
  return c;
}

v1::MatchResult MakeResult(v1::Decision decision, int candidates,
                           const std::string& top_insurer) {
  v1::MatchResult m;
  m.set_decision(decision);
  for (int i = 0; i < candidates; ++i) {
    *m.add_candidates() = MakeCandidate(i == 0 ? top_insurer : "27130015",
                                        std::to_string(100 + i), 0.9 - 0.1 * i);
  }
  m.set_roster_version("r1");
  m.set_model_version("m1");
  return m;
}

v1::MatchResult Result(v1::Decision decision,
                       const std::vector<std::string>& numbers,
                       const std::string& versions) {
  v1::MatchResult m;
  m.set_decision(decision);
  for (const std::string& n : numbers) {
    v1::Candidate* c = m.add_candidates();
    c->set_insurer_number("01130012");
    c->set_number(n);
    c->set_qualified_from("20200401");
    c->set_probability(0.5);
  }
  m.set_roster_version("roster-" + versions);
  m.set_model_version("model-" + versions);
  return m;
}

Actor Reviewer(const std::string& request_id) {
  return Actor{"alice", "reviewer", request_id, "10.0.0.1:5000"};
}

void StoreContractTest::SetUp() {
  dir_ = std::make_unique<::kuromaru::testing::TempDir>();
  auto store = GetParam().open(
      dir_->path(), [this] { return absl::FromUnixMicros(now_us_.load()); });
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = *std::move(store);
}

v1::Case StoreContractTest::Create(const std::string& id, v1::Decision decision,
                                   int candidates, const std::string& month,
                                   const std::string& billed) {
  auto w = store_->CreateCase({MakeReceipt(id, month, billed),
                               MakeResult(decision, candidates),
                               Actor{"claims", "claims", "in-" + id, ""}});
  EXPECT_TRUE(w.ok()) << w.status();
  return w.ok() ? w->stored : v1::Case();
}

v1::Case StoreContractTest::Create(const std::string& id,
                                   const v1::MatchResult& result,
                                   const std::string& month) {
  v1::Receipt r;
  r.set_receipt_id(id);
  r.set_service_month(month);
  auto w = store_->CreateCase({r, result, job_});
  EXPECT_TRUE(w.ok()) << w.status();
  return w.ok() ? w->stored : v1::Case();
}

ReviewerDecision StoreContractTest::MakeDecision(const v1::Case& c,
                                                 const std::string& key) {
  ReviewerDecision d;
  d.receipt_id = c.receipt_id();
  d.expected_version = c.version();
  d.idempotency_key = key;
  if (c.result().candidates_size() > 0) {
    d.candidate = cases::KeyOf(c.result().candidates(0));
  }
  d.comment = "checked";
  d.actor = Reviewer("req-" + key);
  return d;
}

absl::StatusOr<RematchWrite> StoreContractTest::ApplyRematch(
    const v1::Case& c, const v1::MatchResult& result) {
  Rematch r;
  r.receipt_id = c.receipt_id();
  r.expected_version = c.version();
  r.result = result;
  r.actor = job_;
  return store_->ApplyRematch(r);
}

v1::Case StoreContractTest::Get(const std::string& id) {
  auto c = store_->GetCase(id, job_, false);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : v1::Case();
}

std::map<v1::CaseState, int64_t> StoreContractTest::Counts() {
  auto counts = store_->CountCases();
  EXPECT_TRUE(counts.ok()) << counts.status();
  return counts.ok() ? *counts : std::map<v1::CaseState, int64_t>();
}

std::vector<v1::AuditRecord> StoreContractTest::Audit(
    const std::string& receipt_id) {
  std::vector<v1::AuditRecord> out;
  AuditFilter f;
  f.receipt_id = receipt_id;
  absl::Status s = store_->ExportAudit(f, [&](const v1::AuditRecord& r) {
    out.push_back(r);
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

std::vector<std::string> StoreContractTest::AuditActions(
    const std::string& receipt_id) {
  std::vector<std::string> out;
  for (const auto& r : Audit(receipt_id)) out.push_back(r.action());
  return out;
}

}  // namespace kuromaru::store
