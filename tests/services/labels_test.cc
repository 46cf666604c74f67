// Reviewers' decisions as labelled pairs: cases made by matching generated
// receipts against a generated roster, decided against the ground truth in a
// store file, then re-matched against the same roster and a smaller one.
#include "services/store/labels.h"

#include <stdlib.h>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "matcher/matcher.h"
#include "matcher/roster_index.h"
#include "services/gen/generator.h"
#include "services/io/receipts.h"
#include "services/io/roster_csv.h"
#include "services/reconcile/proto_conversion.h"
#include "services/store/sqlite_store.h"
#include "tests/support/csv.h"

namespace kuromaru::store {
namespace {

std::string KeyText(const v1::EnrollmentKey& k) {
  return absl::StrJoin({k.insurer_number(), k.symbol(), k.number(), k.branch(),
                        k.qualified_from()},
                       "|");
}

std::unique_ptr<matcher::Matcher> LoadMatcher(const std::string& roster_csv) {
  auto roster = io::LoadRosterCsv(roster_csv, io::RosterLoadOptions(), nullptr);
  EXPECT_TRUE(roster.ok()) << roster.status();
  if (!roster.ok()) return nullptr;
  auto index = matcher::RosterIndex::Build(*roster);
  EXPECT_TRUE(index.ok()) << index.status();
  matcher::MatcherOptions options;
  options.max_returned = 50;
  auto m = matcher::Matcher::Create(*index, matcher::Model::Default(), options);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *std::move(m) : nullptr;
}

Rematcher RematchWith(const matcher::Matcher& m) {
  return [&m](const v1::Receipt& r) -> absl::StatusOr<v1::MatchResult> {
    return reconcile::ToMatchResult(
        r.receipt_id(), m.Match(reconcile::TextOf(r)), "roster", "model");
  };
}

struct Label {
  std::string key;
  bool is_match = false;
  int evidence = 0;
  double weight = 0;
};

class LabelsTest : public ::testing::Test {
 protected:
  // Generates the roster and receipts, stores a case per receipt and decides
  // most of them as a reviewer who knows the truth would.
  static void SetUpTestSuite() {
    dir_ = new std::string(::testing::TempDir() + "/kuromaru_labels_XXXXXX");
    ASSERT_NE(mkdtemp(dir_->data()), nullptr);
    gen::GenOptions options;
    options.persons = 400;
    options.receipts = 160;
    options.seed = 23;
    options.out_dir = *dir_;
    auto summary = gen::Generate(options);
    ASSERT_TRUE(summary.ok()) << summary.status();
    matcher_ = LoadMatcher(*dir_ + "/roster.csv").release();
    ASSERT_NE(matcher_, nullptr);
    auto store = SqliteStore::Open(*dir_ + "/cases.db", SqliteOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = store->release();
    expected_ = new std::map<std::string, bool>();
    ASSERT_NO_FATAL_FAILURE(StoreAndDecide());
  }

  static void TearDownTestSuite() {
    delete store_;
    delete matcher_;
    delete expected_;
    delete dir_;
  }

  static std::vector<v1::EnrollmentKey> TruthKeys() {
    std::vector<v1::EnrollmentKey> keys;
    std::ifstream in(*dir_ + "/truth.jsonl");
    for (std::string line; std::getline(in, line);) {
      google::protobuf::Struct t;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &t).ok());
      auto field = [&t](const char* name) {
        auto it = t.fields().find(name);
        return it == t.fields().end() ? std::string()
                                      : it->second.string_value();
      };
      v1::EnrollmentKey& k = keys.emplace_back();
      k.set_insurer_number(field("insurer_number"));
      k.set_symbol(field("symbol"));
      k.set_number(field("number"));
      k.set_branch(field("branch"));
      k.set_qualified_from(field("qualified_from"));
    }
    return keys;
  }

  static void StoreAndDecide() {
    const std::vector<v1::EnrollmentKey> truth = TruthKeys();
    std::vector<v1::Receipt> receipts;
    std::ifstream in(*dir_ + "/receipts.jsonl");
    ASSERT_TRUE(io::ReadReceiptsJsonl(
                    in,
                    [&](int64_t, v1::Receipt& r) {
                      receipts.push_back(r);
                      return true;
                    },
                    [](int64_t, const std::string&) { return true; })
                    .ok());
    ASSERT_EQ(receipts.size(), truth.size());
    const Rematcher match = RematchWith(*matcher_);
    for (size_t i = 0; i < receipts.size(); ++i) {
      auto result = match(receipts[i]);
      ASSERT_TRUE(result.ok());
      auto made = store_->CreateCase(
          {receipts[i], *result, Actor{"claims", "claims", "", ""}});
      ASSERT_TRUE(made.ok()) << made.status();
      if (i % 5 == 4) continue;  // left open, or resolved and never reviewed
      ASSERT_NO_FATAL_FAILURE(Decide(made->stored, truth[i]));
    }
  }

  // Confirms the true enrollment when it is a candidate; otherwise finds no
  // match. Records the labels the decision implies.
  static void Decide(const v1::Case& c, const v1::EnrollmentKey& truth) {
    ReviewerDecision d;
    d.receipt_id = c.receipt_id();
    d.expected_version = c.version();
    d.idempotency_key = "decide-" + c.receipt_id();
    d.actor = Actor{"bob", "reviewer", "", ""};
    bool found = false;
    for (const v1::Candidate& cand : c.result().candidates()) {
      found = found || cases::SameKey(cases::KeyOf(cand), truth);
    }
    if (found) d.candidate = truth;
    auto decided = found ? store_->Confirm(d) : store_->MarkNoMatch(d);
    ASSERT_TRUE(decided.ok()) << decided.status();
    for (const v1::Candidate& cand : c.result().candidates()) {
      const bool is_match = found && cases::SameKey(cases::KeyOf(cand), truth);
      (*expected_)[c.receipt_id() + "/" + KeyText(cases::KeyOf(cand))] =
          is_match;
    }
  }

  static absl::Status Gather(const Rematcher& rematch,
                             std::map<std::string, Label>* labels,
                             LabelCounts* counts) {
    return ForEachDecisionLabel(
        *store_, rematch,
        [labels](const DecisionLabel& l) {
          const std::string key = KeyText(cases::KeyOf(l.candidate));
          (*labels)[l.receipt_id + "/" + key] =
              Label{key, l.is_match, l.candidate.evidence_size(),
                    l.candidate.match_weight()};
        },
        counts);
  }

  static std::string* dir_;
  static matcher::Matcher* matcher_;
  static CaseStore* store_;
  // receipt_id/key -> is_match, for every candidate of a decided case.
  static std::map<std::string, bool>* expected_;
};

std::string* LabelsTest::dir_ = nullptr;
matcher::Matcher* LabelsTest::matcher_ = nullptr;
CaseStore* LabelsTest::store_ = nullptr;
std::map<std::string, bool>* LabelsTest::expected_ = nullptr;

TEST_F(LabelsTest, EveryDecidedCandidateIsLabelledAsTheReviewerSaid) {
  std::map<std::string, Label> labels;
  LabelCounts counts;
  ASSERT_TRUE(Gather(RematchWith(*matcher_), &labels, &counts).ok());

  int64_t positives = 0;
  for (const auto& [id, is_match] : *expected_) positives += is_match;
  ASSERT_GE(positives, 40);  // the generated receipts are mostly findable
  EXPECT_GT(expected_->size() - positives, 0u);
  EXPECT_EQ(counts.positives, positives);
  EXPECT_EQ(counts.negatives,
            static_cast<int64_t>(expected_->size()) - positives);
  EXPECT_EQ(counts.skipped, 0);
  ASSERT_EQ(labels.size(), expected_->size());
  double match_weight = 0, other_weight = 0;
  for (const auto& [id, label] : labels) {
    auto it = expected_->find(id);
    ASSERT_NE(it, expected_->end()) << id;
    EXPECT_EQ(label.is_match, it->second) << id;
    EXPECT_EQ(label.evidence, matcher::kFieldCount) << id;
    (label.is_match ? match_weight : other_weight) += label.weight;
  }
  // The reviewers' matches score far above their non-matches.
  EXPECT_GT(match_weight / positives,
            other_weight / (labels.size() - positives) + 10);
}

TEST_F(LabelsTest, OnlyReviewersDecisionsCount) {
  auto counts_by_state = store_->CountCases();
  ASSERT_TRUE(counts_by_state.ok());
  const int64_t decided = (*counts_by_state)[v1::CASE_STATE_CONFIRMED] +
                          (*counts_by_state)[v1::CASE_STATE_REJECTED];
  EXPECT_GT((*counts_by_state)[v1::CASE_STATE_AUTO_RESOLVED], 0);
  std::map<std::string, Label> labels;
  LabelCounts counts;
  ASSERT_TRUE(Gather(RematchWith(*matcher_), &labels, &counts).ok());
  EXPECT_EQ(counts.cases, decided);
  EXPECT_EQ(decided, 128);  // 4 of every 5 of the 160 receipts
}

// Enrollments gone from today's roster are skipped and counted; the rest of
// their cases still label.
TEST_F(LabelsTest, CandidatesNoLongerInTheRosterAreSkipped) {
  std::map<std::string, bool> gone;  // receipt/key of removed enrollments
  std::set<std::string> removed_keys;
  for (const auto& [id, is_match] : *expected_) {
    if (!is_match || removed_keys.size() >= 10) continue;
    gone[id] = true;
    removed_keys.insert(id.substr(id.find('/') + 1));
  }
  std::ifstream in(*dir_ + "/roster.csv");
  std::ofstream out(*dir_ + "/roster-smaller.csv");
  int64_t dropped_rows = 0;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f = ::kuromaru::testing::CsvFields(line);
    if (f.size() >= 9 && removed_keys.count(absl::StrJoin(
                             {f[0], f[1], f[2], f[3], f[8]}, "|")) > 0) {
      ++dropped_rows;
      continue;
    }
    out << line << "\n";
  }
  out.close();
  ASSERT_EQ(dropped_rows, static_cast<int64_t>(removed_keys.size()));
  auto smaller = LoadMatcher(*dir_ + "/roster-smaller.csv");
  ASSERT_NE(smaller, nullptr);

  std::map<std::string, Label> labels;
  LabelCounts counts;
  ASSERT_TRUE(Gather(RematchWith(*smaller), &labels, &counts).ok());
  int64_t removed_candidates = 0;
  for (const auto& [id, is_match] : *expected_) {
    removed_candidates += removed_keys.count(id.substr(id.find('/') + 1));
  }
  EXPECT_GE(removed_candidates, static_cast<int64_t>(gone.size()));
  EXPECT_EQ(counts.skipped, removed_candidates);
  EXPECT_EQ(counts.positives + counts.negatives + counts.skipped,
            static_cast<int64_t>(expected_->size()));
  for (const auto& [id, unused] : gone) EXPECT_EQ(labels.count(id), 0u) << id;
  for (const auto& [id, label] : labels) {
    EXPECT_EQ(label.is_match, expected_->at(id)) << id;
  }
}

TEST_F(LabelsTest, ARematchErrorStopsTheGathering) {
  LabelCounts counts;
  absl::Status s = ForEachDecisionLabel(
      *store_,
      [](const v1::Receipt&) -> absl::StatusOr<v1::MatchResult> {
        return absl::UnavailableError("roster not loaded");
      },
      [](const DecisionLabel&) { ADD_FAILURE() << "no label expected"; },
      &counts);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(counts.cases, 1);
}

}  // namespace
}  // namespace kuromaru::store
