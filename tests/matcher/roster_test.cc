#include "matcher/roster.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kuromaru::matcher {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 高橋太郎 moved from 協会けんぽ (01130012) to a 国保 (138222) on 2023-04-01.
RosterRow OldEnrollment() {
  return {.insurer_number = "01130012",
          .symbol = "1234",
          .number = "5678",
          .branch = "01",
          .name_kanji = "髙橋　太郎",
          .name_kana = "タカハシ　タロウ",
          .birth_date = "19750123",
          .sex = "1",
          .qualified_from = "20150401",
          .qualified_until = "20230401",
          .postal_code = "100-0001",
          .address = "東京都千代田区千代田1-1"};
}
RosterRow NewEnrollment() {
  RosterRow r = OldEnrollment();
  r.insurer_number = "138222";
  r.symbol = "横浜";
  r.number = "0042";
  r.branch = "";
  r.name_kanji = "高橋 太郎";  // another insurer, another variant
  r.name_kana = "ﾀｶﾊｼ ﾀﾛｳ";
  r.qualified_from = "20230401";
  r.qualified_until = "";
  return r;
}
RosterRow Other() {
  return {.insurer_number = "01130012",
          .symbol = "1234",
          .number = "9999",
          .name_kanji = "佐藤花子",
          .name_kana = "サトウハナコ",
          .birth_date = "19800229",
          .sex = "2",
          .qualified_from = "20000101"};
}

std::shared_ptr<const Roster> Build(std::initializer_list<RosterRow> rows) {
  RosterBuilder builder;
  for (const RosterRow& row : rows) EXPECT_TRUE(builder.Add(row).ok());
  absl::StatusOr<std::shared_ptr<const Roster>> roster = builder.Build();
  EXPECT_TRUE(roster.ok()) << roster.status();
  return *roster;
}

TEST(RosterTest, KeepsRawValuesAndNormalizedKeys) {
  auto roster = Build({OldEnrollment(), NewEnrollment(), Other()});
  ASSERT_EQ(roster->size(), 3u);
  EnrollmentInfo info = roster->Info(EnrollmentId(1));
  EXPECT_EQ(info.insurer_number, "138222");
  EXPECT_EQ(info.symbol, "横浜");
  EXPECT_EQ(info.number, "0042");
  EXPECT_EQ(info.branch, "");
  EXPECT_EQ(info.name_kana, "ﾀｶﾊｼ ﾀﾛｳ");
  EXPECT_EQ(info.qualified_from, 20230401u);
  EXPECT_EQ(info.qualified_until, 0u);
  PersonView v = roster->View(EnrollmentId(0));
  EXPECT_EQ(v.kanji_key, "髙橋太郎");
  EXPECT_EQ(v.kanji_surname, "髙橋");
  EXPECT_EQ(v.kanji_loose_key, "高橋太郎");
  EXPECT_EQ(v.kana_key, "タカハシタロウ");
  EXPECT_EQ(v.kana_surname, "タカハシ");
  EXPECT_EQ(v.birth_date, 19750123u);
  EXPECT_EQ(v.sex, Sex::kMale);
  EXPECT_EQ(v.insurer_number, "01130012");
  EXPECT_EQ(v.member_key, "1234|5678|01");
  EXPECT_EQ(v.member_number, "5678");
  EXPECT_EQ(v.postal_code, "1000001");
  EXPECT_EQ(v.municipality, "東京都千代田区");
  EXPECT_EQ(roster->View(EnrollmentId(2)).kana_surname, "");
}

TEST(RosterTest, CountsAndVersion) {
  auto a = Build({OldEnrollment(), NewEnrollment(), Other()});
  EXPECT_EQ(a->counts().rows, 3);
  EXPECT_EQ(a->counts().persons, 2);
  EXPECT_EQ(a->counts().insurers, 2);
  EXPECT_EQ(a->counts().rows_with_wildcards, 0);
  EXPECT_THAT(a->version(), HasSubstr("-3"));
  auto b = Build({Other(), NewEnrollment(), OldEnrollment()});
  EXPECT_EQ(a->version(), b->version());  // order does not matter
  auto c = Build({OldEnrollment(), Other()});
  EXPECT_NE(a->version(), c->version());
  EXPECT_GT(a->MemoryBytes(), 0u);
}

TEST(RosterTest, GroupsThePersonAcrossInsurersSortedByPeriod) {
  auto roster = Build({NewEnrollment(), Other(), OldEnrollment()});
  const PersonId p = roster->PersonOf(EnrollmentId(0));
  EXPECT_EQ(roster->PersonOf(EnrollmentId(2)), p);
  EXPECT_NE(roster->PersonOf(EnrollmentId(1)), p);
  EXPECT_THAT(roster->Enrollments(p),
              ElementsAre(EnrollmentId(2), EnrollmentId(0)));
  EXPECT_EQ(roster->ValidIn(p, 202303), EnrollmentId(2));
  EXPECT_EQ(roster->ValidIn(p, 202304), EnrollmentId(0));
  EXPECT_EQ(roster->ValidIn(p, 201503), kNoEnrollment);
  EXPECT_EQ(roster->Previous(EnrollmentId(0)), EnrollmentId(2));
  EXPECT_EQ(roster->Next(EnrollmentId(2)), EnrollmentId(0));
  EXPECT_EQ(roster->Previous(EnrollmentId(2)), kNoEnrollment);
  EXPECT_EQ(roster->Next(EnrollmentId(0)), kNoEnrollment);
  EXPECT_TRUE(roster->CoversMonth(EnrollmentId(2), 201504));
  EXPECT_FALSE(
      roster->CoversMonth(EnrollmentId(2), 202304));  // until is exclusive
}

TEST(RosterTest, AWildcardRowJoinsItsPerson) {
  RosterRow wild = NewEnrollment();
  wild.name_kanji = "\xEE\x80\x80橋 太郎";  // an insurer's own 外字
  RosterRow twin = OldEnrollment();         // same kana, birth, sex
  twin.name_kanji = "高梁 太郎";
  twin.number = "5679";
  auto roster = Build({OldEnrollment(), wild, twin});
  EXPECT_EQ(roster->counts().rows_with_wildcards, 1);
  EXPECT_EQ(roster->PersonOf(EnrollmentId(1)),
            roster->PersonOf(EnrollmentId(0)));
  EXPECT_NE(roster->PersonOf(EnrollmentId(2)),
            roster->PersonOf(EnrollmentId(0)));
}

TEST(RosterTest, NamesakesWithOverlappingPeriodsAreTwoPersons) {
  // Same kanji, kana, birth date and sex, but covered at the same time by two
  // insurers: two people, however alike. A job change does not overlap.
  RosterRow namesake = NewEnrollment();
  namesake.insurer_number = "06139993";
  namesake.symbol = "77";
  namesake.qualified_from = "20100401";
  auto roster = Build({OldEnrollment(), NewEnrollment(), namesake});
  EXPECT_EQ(roster->PersonOf(EnrollmentId(0)),
            roster->PersonOf(EnrollmentId(1)));
  EXPECT_NE(roster->PersonOf(EnrollmentId(2)),
            roster->PersonOf(EnrollmentId(0)));
  EXPECT_EQ(roster->counts().persons, 2);
}

TEST(RosterTest, RejectsMalformedRowsWithAReason) {
  struct Case {
    void (*edit)(RosterRow*);
    const char* reason;
  } cases[] = {
      {[](RosterRow* r) { r->insurer_number = ""; }, "insurer_number: missing"},
      {[](RosterRow* r) { r->insurer_number = "0113001"; }, "insurer_number"},
      {[](RosterRow* r) { r->insurer_number = "77777779"; }, "sentinel"},
      {[](RosterRow* r) { r->number = " "; }, "number: missing"},
      {[](RosterRow* r) { r->name_kanji = ""; }, "name_kanji: missing"},
      {[](RosterRow* r) { r->birth_date = "S50.1.23"; },
       "birth_date: not YYYYMMDD"},
      {[](RosterRow* r) { r->birth_date = "19750230"; },
       "birth_date: not a valid date"},
      {[](RosterRow* r) { r->sex = "3"; }, "sex: not 1 or 2"},
      {[](RosterRow* r) { r->sex = ""; }, "sex: missing"},
      {[](RosterRow* r) { r->qualified_from = ""; }, "qualified_from: missing"},
      {[](RosterRow* r) { r->qualified_until = "20150401"; },
       "qualified_until: not after qualified_from"},
      {[](RosterRow* r) { r->qualified_until = "2023041"; },
       "qualified_until: not YYYYMMDD"},
      {[](RosterRow* r) { r->name_kana = "タカハシ1"; }, "name_kana"},
      {[](RosterRow* r) { r->postal_code = "12"; }, "postal_code"},
  };
  for (const Case& c : cases) {
    RosterBuilder builder;
    RosterRow row = OldEnrollment();
    c.edit(&row);
    absl::Status status = builder.Add(row);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.reason;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.reason));
    EXPECT_EQ(builder.size(), 0u);
  }
}

TEST(RosterTest, RejectsADuplicateKey) {
  RosterBuilder builder;
  ASSERT_TRUE(builder.Add(OldEnrollment()).ok());
  RosterRow again = OldEnrollment();
  again.branch = "1";  // "1" ≡ "01"
  EXPECT_EQ(builder.Add(again).code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(builder.Build().ok());
  EXPECT_EQ(builder.Build().status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(RosterTest, DeltaProducesANewSnapshot) {
  auto base = Build({OldEnrollment(), Other()});
  RosterBuilder delta(*base);
  RosterRow ended = Other();
  ended.qualified_until = "20240101";
  ASSERT_TRUE(delta.Apply(DeltaOp::kUpsert, ended).ok());
  ASSERT_TRUE(delta.Apply(DeltaOp::kUpsert, NewEnrollment()).ok());
  ASSERT_TRUE(delta.Apply(DeltaOp::kDelete, OldEnrollment()).ok());
  RosterRow missing = Other();
  missing.number = "1";
  ASSERT_TRUE(delta.Apply(DeltaOp::kDelete, missing).ok());
  RosterRow bad = Other();
  bad.sex = "x";
  EXPECT_FALSE(delta.Apply(DeltaOp::kUpsert, bad).ok());
  EXPECT_EQ(delta.delta_stats().inserted, 1);
  EXPECT_EQ(delta.delta_stats().updated, 1);
  EXPECT_EQ(delta.delta_stats().deleted, 1);
  EXPECT_EQ(delta.delta_stats().delete_not_found, 1);
  auto next = delta.Build();
  ASSERT_TRUE(next.ok());
  const Roster& r = **next;
  EXPECT_EQ(r.size(), 2u);
  EXPECT_EQ(base->size(), 2u);  // untouched
  EXPECT_EQ(base->Find("01130012", "1234", "5678", "01", 20150401),
            EnrollmentId(0));
  EXPECT_EQ(r.Find("01130012", "1234", "5678", "01", 20150401), kNoEnrollment);
  const EnrollmentId other = r.Find("01130012", "1234", "9999", "", 20000101);
  ASSERT_NE(other, kNoEnrollment);
  EXPECT_EQ(r.Info(other).qualified_until, 20240101u);
  const EnrollmentId now = r.Find("138222", "横浜", "0042", "", 20230401);
  ASSERT_NE(now, kNoEnrollment);
  EXPECT_EQ(r.View(now).kanji_key, "高橋太郎");
  EXPECT_NE(r.version(), base->version());
  EXPECT_EQ(r.counts().persons, 2);
}

}  // namespace
}  // namespace kuromaru::matcher
