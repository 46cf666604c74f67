#include "matcher/roster_index.h"

#include <atomic>
#include <bit>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "matcher/normalize_person.h"
#include "normalizer/insurer.h"

namespace kuromaru::matcher {
namespace {

std::string WithCheck(const std::string& digits) {
  return digits + std::to_string(normalizer::CheckDigit(digits));
}

class RosterIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    insurer_a_ = WithCheck("0113001");
    insurer_b_ = WithCheck("0627001");
    RosterBuilder builder;
    // The person: 協会けんぽ until 2023-03-31, then another insurer.
    Add(&builder, insurer_a_, "1234", "5678", "髙橋　太郎", "タカハシ　タロウ",
        "19750123", "1", "20150401", "20230401");
    Add(&builder, insurer_b_, "77", "4321", "高橋　太郎", "タカハシ　タロウ",
        "19750123", "1", "20230401", "");
    // Distractors sharing one field each.
    Add(&builder, insurer_a_, "1234", "5679", "高橋　次郎", "タカハシ　ジロウ",
        "19780505", "1", "20150401", "");
    Add(&builder, insurer_b_, "77", "4322", "田中　一郎", "タナカ　イチロウ",
        "19750123", "1", "20100101", "");
    Add(&builder, insurer_a_, "99", "5678", "鈴木　花子", "スズキ　ハナコ",
        "19900312", "2", "20100101", "", "1000001");
    auto roster = builder.Build();
    ASSERT_TRUE(roster.ok());
    auto index = RosterIndex::Build(*roster);
    ASSERT_TRUE(index.ok());
    index_ = *index;
  }

  static void Add(RosterBuilder* b, const std::string& insurer,
                  const char* symbol, const char* number, const char* kanji,
                  const char* kana, const char* birth, const char* sex,
                  const char* from, const char* until,
                  const char* postal = "") {
    ASSERT_TRUE(b->Add({.insurer_number = insurer,
                        .symbol = symbol,
                        .number = number,
                        .name_kanji = kanji,
                        .name_kana = kana,
                        .birth_date = birth,
                        .sex = sex,
                        .qualified_from = from,
                        .qualified_until = until,
                        .postal_code = postal})
                    .ok());
  }

  // The candidate for enrollment `id`'s person, or null.
  const Candidate* Find(const std::vector<Candidate>& c, EnrollmentId id) {
    for (const Candidate& x : c) {
      if (x.person == index_->roster().PersonOf(id)) return &x;
    }
    return nullptr;
  }

  std::vector<Candidate> Query(const RawPerson& raw, PackedMonth month = 202404,
                               const CandidateOptions& options = {}) {
    std::optional<normalizer::InsurerNumber> billed;
    receipt_ = NormalizePerson(raw, nullptr, &billed);
    return index_->Candidates(receipt_.View(), month, options,
                              billed ? &*billed : nullptr);
  }

  std::string insurer_a_, insurer_b_;
  NormalizedPerson receipt_;
  std::shared_ptr<const RosterIndex> index_;
};

TEST_F(RosterIndexTest, KanaNameFindsThePersonDespiteOtherFields) {
  auto c = Query({.name_kanji = "山田",
                  .name_kana = "ﾀｶﾊｼ ﾀﾛｰ",
                  .birth_date = "19700101"});
  const Candidate* hit = Find(c, EnrollmentId(0));
  ASSERT_NE(hit, nullptr);
  EXPECT_TRUE(hit->passes & kKanaName);
  EXPECT_FALSE(hit->passes & kKanjiName);
}

TEST_F(RosterIndexTest, KanaSurnameAndBirth) {
  auto c = Query({.name_kanji = "鷹橋太",
                  .name_kana = "タカハシ　タ",
                  .birth_date = "S50.1.23"});
  const Candidate* hit = Find(c, EnrollmentId(0));
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->passes,
            static_cast<uint32_t>(kKanaSurnameBirth | kBirthInitial));
}

TEST_F(RosterIndexTest, BirthNearMissAndInitial) {
  // One digit of the day wrong, kana mistyped, kanji unknown.
  auto c = Query({.name_kana = "タカハスタロ", .birth_date = "19750128"});
  const Candidate* hit = Find(c, EnrollmentId(0));
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->passes, static_cast<uint32_t>(kBirthInitial));
  // One digit of the year wrong.
  EXPECT_NE(Find(Query({.name_kana = "タカハスタロ", .birth_date = "19760123"}),
                 EnrollmentId(0)),
            nullptr);
}

TEST_F(RosterIndexTest, KanjiNameWithAWildcard) {
  // The birth date one digit off too.
  auto c = Query({.name_kanji = "●橋　太郎", .birth_date = "19750128"});
  const Candidate* hit = Find(c, EnrollmentId(0));
  ASSERT_NE(hit, nullptr);
  EXPECT_TRUE(hit->passes & kKanjiName);
  // One substituted character, no wildcard.
  c = Query({.name_kanji = "高槁太郎", .birth_date = "19750123"});
  hit = Find(c, EnrollmentId(0));
  ASSERT_NE(hit, nullptr);
  EXPECT_TRUE(hit->passes & kKanjiName);
}

TEST_F(RosterIndexTest, BirthAndLastKanjiWhenTheFirstIsAWildcard) {
  CandidateOptions options;
  options.max_per_key = 0;  // only the keyed lookups below survive: none
  EXPECT_TRUE(Query({.name_kanji = "●橋　太郎", .birth_date = "19750123"},
                    202404, options)
                  .empty());
  auto c = Query({.name_kanji = "●橋　太郎", .birth_date = "19750123"});
  const Candidate* hit = Find(c, EnrollmentId(0));
  ASSERT_NE(hit, nullptr);
  EXPECT_TRUE(hit->passes & kBirthInitial);
}

TEST_F(RosterIndexTest, MemberNumberAcrossInsurers) {
  auto c = Query({.name_kanji = "山本",
                  .birth_date = "19750123",
                  .insurer_number = "138222",
                  .number = "4321"});
  const Candidate* hit = Find(c, EnrollmentId(1));
  ASSERT_NE(hit, nullptr);
  EXPECT_TRUE(hit->passes & kMemberNumber);
  // The same 番号 under another insurer, for someone born another day: not
  // found by the number alone.
  EXPECT_EQ(Find(Query({.name_kanji = "山本",
                        .birth_date = "19750123",
                        .insurer_number = "138222",
                        .number = "5678"}),
                 EnrollmentId(4)),
            nullptr);
}

TEST_F(RosterIndexTest, InsurerAndMemberUnderARepairedInsurerNumber) {
  std::string typo = insurer_a_;
  typo[5] = typo[5] == '9' ? '8' : static_cast<char>(typo[5] + 1);
  auto c = Query({.insurer_number = typo,
                  .symbol = "1234",
                  .number = "5678",
                  .branch = "03"},
                 202201);
  const Candidate* hit = Find(c, EnrollmentId(0));
  ASSERT_NE(hit, nullptr);
  EXPECT_TRUE(hit->passes & kInsurerMember);
  EXPECT_EQ(hit->enrollment, EnrollmentId(0));
  EXPECT_TRUE(hit->valid_in_month);
}

TEST_F(RosterIndexTest, OldInsurerBilledGivesTheNewEnrollment) {
  auto c = Query({.insurer_number = insurer_a_,
                  .symbol = "1234",
                  .number = "5678",
                  .branch = "01"},
                 202404);
  const Candidate* hit = Find(c, EnrollmentId(0));
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->matched, EnrollmentId(0));
  EXPECT_EQ(hit->enrollment, EnrollmentId(1));
  EXPECT_TRUE(hit->valid_in_month);
  // Before the person's first enrollment: the nearest, marked not valid.
  c = Query({.insurer_number = insurer_a_, .symbol = "1234", .number = "5678"},
            201001);
  hit = Find(c, EnrollmentId(0));
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->enrollment, EnrollmentId(0));
  EXPECT_FALSE(hit->valid_in_month);
  CandidateOptions only_valid;
  only_valid.include_not_valid = false;
  EXPECT_EQ(Find(Query({.insurer_number = insurer_a_,
                        .symbol = "1234",
                        .number = "5678"},
                       201001, only_valid),
                 EnrollmentId(0)),
            nullptr);
}

TEST_F(RosterIndexTest, SentinelReceiptUsesNameBirthAndAddress) {
  auto c = Query({.name_kanji = "鈴本花",
                  .birth_date = "19900312",
                  .insurer_number = "77777779",
                  .number = "777777777",
                  .postal_code = "100-0001"});
  const Candidate* hit = Find(c, EnrollmentId(4));
  ASSERT_NE(hit, nullptr);
  EXPECT_TRUE(hit->passes & kAddress);
  EXPECT_FALSE(hit->passes & kMemberNumber);
}

TEST_F(RosterIndexTest, BoundsAndOrdersCandidates) {
  RawPerson raw{.name_kanji = "高橋　太郎",
                .name_kana = "タカハシ　タロウ",
                .birth_date = "19750123",
                .number = "5678"};
  // 田中一郎 shares only the birth date: kept only without the agreement gap.
  EXPECT_EQ(Query(raw).size(), 1u);
  CandidateOptions options;
  options.max_agreement_gap = 100;
  auto all = Query(raw, 202404, options);
  ASSERT_GE(all.size(), 2u);
  EXPECT_EQ(all[0].person, index_->roster().PersonOf(EnrollmentId(0)));
  options.max_total = 1;
  auto one = Query(raw, 202404, options);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].person, all[0].person);
  options = {};
  options.max_per_key = 1;  // every key shared by two persons is skipped
  // The kana name key is shared by the person's two enrollments: one person,
  // kept under the bound. The birth date and initial タ are shared with
  // 田中一郎: found through them without the bound, not with it.
  const RawPerson kana{.name_kana = "タカハシ　タロウ",
                       .birth_date = "19750123"};
  const std::vector<Candidate> all_kana = Query(kana);
  const Candidate* unbounded = Find(all_kana, EnrollmentId(3));
  ASSERT_NE(unbounded, nullptr);
  EXPECT_TRUE(unbounded->passes & kBirthInitial);
  const std::vector<Candidate> bounded = Query(kana, 202404, options);
  EXPECT_EQ(Find(bounded, EnrollmentId(3)), nullptr);
  const Candidate* person = Find(bounded, EnrollmentId(0));
  ASSERT_NE(person, nullptr);
  EXPECT_TRUE(person->passes & kKanaName);
  EXPECT_TRUE(Query({}).empty());
}

TEST_F(RosterIndexTest, CutKeepsTheCandidatesThatAgreeMost) {
  RosterBuilder builder;
  // Two persons share the birth date and the kana initial サ; a third shares
  // the birth date and a postal code with the receipt.
  Add(&builder, insurer_a_, "1", "1", "佐藤　一郎", "サトウ　イチロウ",
      "19800101", "1", "20000101", "");
  Add(&builder, insurer_a_, "1", "2", "佐藤　一夫", "サトウ　カズオ",
      "19800101", "1", "20000101", "");
  Add(&builder, insurer_a_, "1", "3", "山田　次郎", "ヤマダ　ジロウ",
      "19800101", "1", "20000101", "", "1000001");
  auto index = RosterIndex::Build(*builder.Build());
  ASSERT_TRUE(index.ok());
  const NormalizedPerson receipt = NormalizePerson({.name_kana = "サノ　ハナ",
                                                    .birth_date = "19800101",
                                                    .postal_code = "1000001"},
                                                   nullptr);
  std::vector<Candidate> all =
      (*index)->Candidates(receipt.View(), 202404, {}, nullptr);
  ASSERT_EQ(all.size(), 3u);
  for (const Candidate& c : all) EXPECT_EQ(std::popcount(c.passes), 1);
  CandidateOptions options;
  options.max_total = 1;
  std::vector<Candidate> one =
      (*index)->Candidates(receipt.View(), 202404, options, nullptr);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].enrollment, EnrollmentId(2));
  EXPECT_EQ(one[0].passes, kAddress);
}

TEST_F(RosterIndexTest, SnapshotSwapUnderConcurrentReaders) {
  RosterSnapshot snapshot;
  EXPECT_EQ(snapshot.Get(), nullptr);
  snapshot.Set(index_);
  RosterBuilder builder;
  Add(&builder, insurer_a_, "1", "1", "山田　一", "ヤマダ　ハジメ", "19600101",
      "1", "20000101", "");
  auto other = RosterIndex::Build(*builder.Build());
  ASSERT_TRUE(other.ok());
  NormalizedPerson receipt = NormalizePerson(
      {.name_kana = "タカハシ　タロウ", .birth_date = "19750123"}, nullptr);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        std::shared_ptr<const RosterIndex> index = snapshot.Get();
        auto c = index->Candidates(receipt.View(), 202404, {}, nullptr);
        // Either roster: the full one finds the person, the small one not.
        if (index->roster().size() == 5 && c.empty()) ++bad;
        if (index->roster().size() == 1 && !c.empty()) ++bad;
      }
    });
  }
  for (int i = 0; i < 200; ++i) snapshot.Set(i % 2 ? index_ : *other);
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace kuromaru::matcher
