// What a reviewer is shown of a case: characters, dates, field rows.
#include "services/console/case_view.h"

#include <string>

#include "gtest/gtest.h"
#include "services/console/sessions.h"

namespace kuromaru::console {
namespace {

using json = nlohmann::json;

TEST(NameCharsTest, PlaceholdersShowTheOtherSidesCharacter) {
  const json chars = NameChars("●橋　一郎", "髙橋 一郎", /*kana=*/false);
  ASSERT_EQ(chars.size(), 5u);
  EXPECT_EQ(chars[0]["text"], "●");
  EXPECT_EQ(chars[0]["kind"], "wildcard");
  EXPECT_EQ(chars[0]["against"], "髙");
  EXPECT_EQ(chars[1]["kind"], "plain");
  EXPECT_FALSE(chars[1].contains("against"));
  EXPECT_EQ(chars[2]["text"], " ");  // the separator
  // And the other side marks where it stands against a placeholder.
  const json theirs = NameChars("髙橋 一郎", "●橋　一郎", false);
  EXPECT_EQ(theirs[0]["kind"], "variant");
  EXPECT_EQ(theirs[0]["folded"], "高");
  EXPECT_EQ(theirs[0]["against"], "●");
}

TEST(NameCharsTest, GaijiIvsAndKanaFolds) {
  const json gaiji = NameChars("\uE0A1田", "", false);
  EXPECT_EQ(gaiji[0]["kind"], "gaiji");
  EXPECT_EQ(gaiji[0]["folded"], "U+E0A1");
  const json ivs = NameChars("辻\U000E0100", "", false);
  ASSERT_EQ(ivs.size(), 1u);
  EXPECT_EQ(ivs[0]["kind"], "ivs");
  EXPECT_EQ(ivs[0]["folded"], "辻");
  const json kana = NameChars("ｶﾞﾓｳ ｷﾖｺ", "", /*kana=*/true);
  ASSERT_GE(kana.size(), 2u);
  EXPECT_EQ(kana[0]["text"], "ｶﾞ");
  EXPECT_EQ(kana[0]["kind"], "kana_fold");
  EXPECT_EQ(kana[0]["folded"], "ガ");
  // Markup is text like any other: the console renders it as text.
  const json markup = NameChars("<b>", "", false);
  EXPECT_EQ(markup[0]["text"], "<");
}

TEST(DateDisplayTest, WarekiBesideTheWesternDate) {
  const json d = DateDisplay("3230712");
  EXPECT_EQ(d["iso"], "1948-07-12");
  EXPECT_EQ(d["wareki"], "昭和23年7月12日");
  EXPECT_EQ(DateDisplay("19890108")["wareki"], "平成元年1月8日");
  EXPECT_TRUE(DateDisplay("").is_null());
  EXPECT_TRUE(DateDisplay("19991399").is_null());
}

v1::Case CaseWithTwoCandidates() {
  v1::Case c;
  c.set_receipt_id("R1");
  c.mutable_receipt()->set_name_kanji("●橋　一郎");
  c.mutable_receipt()->set_name_kana("ﾀｶﾊｼ ｲﾁﾛｳ");
  c.mutable_receipt()->set_birth_date("3240501");
  v1::MatchResult* r = c.mutable_result();
  r->set_prior_weight(-4.5);
  for (int i = 0; i < 2; ++i) {
    v1::Candidate* k = r->add_candidates();
    k->set_insurer_number(i == 0 ? "39141015" : "141002");
    k->set_number(i == 0 ? "12345678" : "0042");
    k->set_qualified_from(i == 0 ? "20240501" : "20100401");
    k->set_name_kanji("髙橋一郎");
    k->set_birth_date("19490501");
    k->set_match_weight(12 - 10 * i);
    k->set_probability(i == 0 ? 0.98 : 0.01);
    v1::Evidence* e = k->add_evidence();
    e->set_field("name_kanji");
    e->set_level("WILDCARD");
    e->set_weight(4);
    v1::Evidence* m = k->add_evidence();
    m->set_field("member");
    m->set_level(i == 0 ? "PREVIOUS_MEMBER" : "EXACT");
    m->set_weight(9);
    if (i == 0) {
      m->mutable_roster_enrollment()->set_insurer_number("141002");
      m->mutable_roster_enrollment()->set_number("0042");
      m->mutable_roster_enrollment()->set_qualified_from("20100401");
    }
  }
  return c;
}

TEST(CandidateViewsTest, RowsWaterfallAndSupportingEnrollments) {
  const json views = CandidateViews(CaseWithTwoCandidates(), {});
  ASSERT_EQ(views.size(), 2u);
  const json& top = views[0];
  EXPECT_EQ(top["rank"], 1);
  EXPECT_EQ(top["person_label"], "A");
  EXPECT_EQ(views[1]["person_label"], "B");
  ASSERT_EQ(top["fields"].size(), 2u);
  EXPECT_EQ(top["fields"][0]["agreement"], "agree");
  EXPECT_EQ(top["fields"][0]["explanation_key"], "wildcard");
  EXPECT_EQ(top["fields"][1]["explanation_key"], "enrollment.stale");
  EXPECT_EQ(top["waterfall"]["prior"], -4.5);
  EXPECT_EQ(top["waterfall"]["bars"].size(), 2u);
  EXPECT_EQ(top["supporting"][0], "141002||0042||20100401");
  EXPECT_TRUE(top["enrollments"].empty());  // no roster given
  EXPECT_EQ(top["receipt_name_kanji"][0]["against"], "髙");
}

TEST(SessionTableTest, SessionsEndOnSignOutAndIdleness) {
  SessionTable table(absl::Hours(1));
  absl::StatusOr<Session> s = table.Create("reviewer-tanaka", 2);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->id.size(), 64u);
  EXPECT_NE(s->id, s->csrf_token);
  ASSERT_TRUE(table.Touch(s->id).has_value());
  EXPECT_TRUE(SessionTable::CsrfMatches(*s, s->csrf_token));
  EXPECT_FALSE(SessionTable::CsrfMatches(*s, ""));
  EXPECT_FALSE(SessionTable::CsrfMatches(*s, s->id));
  table.End(s->id);
  EXPECT_FALSE(table.Touch(s->id).has_value());
  EXPECT_FALSE(table.Touch("nonsense").has_value());

  SessionTable idle(absl::ZeroDuration());
  absl::StatusOr<Session> gone = idle.Create("reviewer-sato", 2);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(idle.Touch(gone->id).has_value());
}

}  // namespace
}  // namespace kuromaru::console
