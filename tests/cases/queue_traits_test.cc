// Why a case needs a person, and its place in the queue.
#include "services/cases/queue_traits.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kuromaru::cases {
namespace {

using ::testing::ElementsAre;

v1::Candidate Candidate(double weight, double p, bool valid = true) {
  v1::Candidate c;
  c.set_match_weight(weight);
  c.set_probability(p);
  c.set_valid_in_service_month(valid);
  return c;
}

void Level(v1::Candidate* c, const char* field, const char* level) {
  v1::Evidence* e = c->add_evidence();
  e->set_field(field);
  e->set_level(level);
}

TEST(QueueTraitsTest, ReasonsFromTheResult) {
  v1::MatchResult r;
  r.mutable_normalized()->set_insurer_sentinel(true);
  r.mutable_normalized()->set_wildcard_count(1);
  *r.add_candidates() = Candidate(12, 0.9, /*valid=*/false);
  Level(r.mutable_candidates(0), "member", "PREVIOUS_MEMBER");
  Level(r.mutable_candidates(0), "name_kana", "SURNAME_CHANGED");
  Level(r.mutable_candidates(0), "birth_date", "WRONG_ERA");
  *r.add_candidates() = Candidate(9, 0.1);
  const QueueTraits t = TraitsOf(r);
  EXPECT_THAT(ReasonNames(t.reasons),
              ElementsAre("stale_card", "fusho", "wildcard_name", "marriage",
                          "birth_date_near", "namesakes",
                          "not_valid_in_month"));
  ASSERT_TRUE(t.lead.has_value());
  EXPECT_DOUBLE_EQ(*t.lead, 3);
  EXPECT_DOUBLE_EQ(t.top_probability, 0.9);
}

TEST(QueueTraitsTest, NobodyFoundIsRoutedOrNothing) {
  v1::MatchResult r;
  EXPECT_EQ(TraitsOf(r).reasons, kNoCandidate);
  EXPECT_FALSE(TraitsOf(r).lead.has_value());
  r.add_insurer_suggestions()->set_insurer_number("39141015");
  EXPECT_EQ(TraitsOf(r).reasons, kNotInRosterRoute);
  r.mutable_normalized()->set_insurer_number("01130013");
  EXPECT_TRUE(TraitsOf(r).reasons & kInsurerTypo);
}

TEST(QueueTraitsTest, NamesAndSignatures) {
  EXPECT_EQ(ReasonFromName("marriage"), kMarriage);
  EXPECT_FALSE(ReasonFromName("nonsense").has_value());
  v1::MatchResult a;
  a.mutable_normalized()->set_name_kana_key("タカハシイチロウ");
  a.mutable_normalized()->set_birth_date("19490501");
  v1::MatchResult b = a;
  EXPECT_EQ(SignatureOf(a), SignatureOf(b));
  EXPECT_EQ(SignatureOf(a).size(), 16u);
  b.mutable_normalized()->set_birth_date("19490502");
  EXPECT_NE(SignatureOf(a), SignatureOf(b));
  b.mutable_normalized()->clear_birth_date();
  EXPECT_EQ(SignatureOf(b), "");
}

}  // namespace
}  // namespace kuromaru::cases
