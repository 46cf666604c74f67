// The generator's persons and insurers: life courses that hold together
// (chains that abut, marriages, 75th birthdays, moves, retirements), each at
// about its rate, and insurers' storage policies that the roster rows follow.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "normalizer/utf8.h"
#include "services/gen/generator.h"
#include "services/gen/insurers.h"
#include "services/gen/life.h"
#include "services/gen/noise.h"
#include "services/gen/policy.h"
#include "services/gen/render.h"
#include "services/gen/world.h"

namespace kuromaru::gen {
namespace {

constexpr int kHouseholds = 8000;

int Days(const Date& d) { return DaysFromCivil(d); }

class LifeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto sources = LoadSources(SourcePaths());
    ASSERT_TRUE(sources.ok()) << sources.status();
    sources_ = sources->release();
    variants_ = VariantTable::Build().release();
    insurers_ =
        InsurerCatalog::Build(*sources_, 3, 20000, PolicyMix()).release();
    world_ = new World(*sources_, *insurers_, *variants_, WorldOptions(), 3);
    households_ = new std::vector<Household>();
    for (int64_t h = 0; h < kHouseholds; ++h) {
      households_->push_back(world_->Make(h, true));
    }
  }

  static InsurerKind Kind(int insurer) { return insurers_->at(insurer).kind; }
  static const AddressEntry& Entry(const Household& h, int address) {
    return sources_->addresses[h.addresses[address].entry];
  }

  static const Sources* sources_;
  static const VariantTable* variants_;
  static const InsurerCatalog* insurers_;
  static const World* world_;
  static std::vector<Household>* households_;
};

const Sources* LifeTest::sources_ = nullptr;
const VariantTable* LifeTest::variants_ = nullptr;
const InsurerCatalog* LifeTest::insurers_ = nullptr;
const World* LifeTest::world_ = nullptr;
std::vector<Household>* LifeTest::households_ = nullptr;

TEST_F(LifeTest, ChainsAbutOrNearlySoAndOneEnrollmentCoversEachFirstDay) {
  int transitions = 0, gaps = 0, overlaps = 0;
  for (const Household& h : *households_) {
    for (const Person& p : h.members) {
      const auto& list = p.enrollments;
      for (size_t i = 0; i < list.size(); ++i) {
        const Enrollment& e = list[i];
        EXPECT_TRUE(IsOpen(e.until) || Before(e.from, e.until)) << p.id;
        EXPECT_FALSE(Before(e.from, p.birth)) << p.id;
        if (i == 0) continue;
        const Enrollment& prev = list[i - 1];
        ASSERT_FALSE(IsOpen(prev.until)) << p.id << " enrollment " << i;
        const int delta = Days(e.from) - Days(prev.until);
        EXPECT_GE(delta, -2) << p.id;
        EXPECT_LE(delta, 10) << p.id;
        // A 75th birthday (the person's or the insured's) and a 後期高齢者
        // move are exact days.
        if (e.event == LifeEvent::kTurned75 ||
            e.event == LifeEvent::kInsuredTurned75 ||
            Kind(e.insurer) == InsurerKind::kKouki) {
          EXPECT_GE(delta, 0) << p.id;  // a gap only if one began before
          continue;
        }
        ++transitions;
        gaps += delta > 0;
        overlaps += delta < 0;
        for (Date d = e.from; Before(d, prev.until); d = AddDays(d, 1)) {
          EXPECT_NE(d.day, 1) << p.id << ": an overlap over a first day";
        }
      }
    }
  }
  ASSERT_GT(transitions, 3000);
  const WorldOptions o;
  EXPECT_NEAR(static_cast<double>(gaps) / transitions, o.gap_rate, 0.06);
  EXPECT_GT(overlaps, 0);
  EXPECT_LT(static_cast<double>(overlaps) / transitions, o.overlap_rate);
}

TEST_F(LifeTest, MarriageKeepsGivenNameBirthDateAndSex) {
  int married = 0, couples = 0, wives = 0;
  std::map<std::string, int> routes;
  for (const Household& h : *households_) {
    couples += h.members.size() >= 2 && h.members[1].role == Role::kSpouse;
    for (const Person& p : h.members) {
      if (p.names.size() < 2) continue;
      ++married;
      wives += p.sex == 2;
      ASSERT_FALSE(IsOpen(p.married));
      EXPECT_EQ(p.names[0].given, p.names[1].given);
      EXPECT_EQ(p.names[0].given_kana, p.names[1].given_kana);
      EXPECT_NE(p.names[0].surname_kana + p.names[0].surname,
                p.names[1].surname_kana + p.names[1].surname);
      const Enrollment* before = nullptr;
      const Enrollment* after = nullptr;
      for (const Enrollment& e : p.enrollments) {
        if (e.name == 0) {
          before = &e;
          EXPECT_FALSE(Before(p.married, e.until)) << p.id;
        } else if (after == nullptr) {
          after = &e;
        }
      }
      ASSERT_NE(before, nullptr) << p.id;
      ASSERT_NE(after, nullptr) << p.id;
      EXPECT_EQ(after->event, LifeEvent::kMarriage) << p.id;
      EXPECT_FALSE(Before(after->from, p.married)) << p.id;
      EXPECT_LE(Days(after->from) - Days(p.married), 10) << p.id;
      if (after->insurer == before->insurer) {
        ++routes[after->number == before->number ? "same_key" : "reissued"];
      } else if (Kind(after->insurer) == InsurerKind::kKokuho) {
        ++routes["kokuho"];
      } else if (after->dependent) {
        ++routes["dependent"];
      }
    }
  }
  // 30% of the couples under 50, who are about a third of all couples.
  EXPECT_GT(married, couples / 20);
  EXPECT_LT(married, couples / 4);
  EXPECT_GT(wives, married * 85 / 100);  // usually the wife, not always
  EXPECT_LT(wives, married);
  for (const char* route : {"same_key", "reissued", "kokuho", "dependent"}) {
    EXPECT_GT(routes[route], 0) << route;
  }
}

TEST_F(LifeTest, SeventyFifthBirthdayBeginsTheKoukiOfThePrefecture) {
  int turned = 0, dependents = 0;
  for (const Household& h : *households_) {
    for (const Person& p : h.members) {
      for (size_t i = 0; i < p.enrollments.size(); ++i) {
        const Enrollment& e = p.enrollments[i];
        if (e.event == LifeEvent::kInsuredTurned75) {
          ++dependents;
          EXPECT_EQ(Kind(e.insurer), InsurerKind::kKokuho);
          EXPECT_EQ(e.from, AddYears(h.members[0].birth, 75));
        }
        if (e.event != LifeEvent::kTurned75) continue;
        ++turned;
        EXPECT_EQ(e.from, AddYears(p.birth, 75)) << p.id;
        EXPECT_EQ(Kind(e.insurer), InsurerKind::kKouki) << p.id;
        EXPECT_EQ(e.address, h.HomeAt(e.from)) << p.id;
        EXPECT_EQ(insurers_->at(e.insurer).prefecture_code,
                  Entry(h, e.address).prefecture_code)
            << p.id;
        if (i > 0) {
          EXPECT_FALSE(Before(e.from, p.enrollments[i - 1].until)) << p.id;
        }
        for (size_t j = 0; j < i; ++j) {
          EXPECT_NE(Kind(p.enrollments[j].insurer), InsurerKind::kKouki);
        }
      }
    }
  }
  EXPECT_GT(turned, 500);
  EXPECT_GT(dependents, 0);
}

TEST_F(LifeTest, MovesChangeTheKokuhoAndTheAddress) {
  int moving = 0, kokuho_moves = 0;
  for (const Household& h : *households_) {
    ASSERT_EQ(h.moved.size() + 1 <= h.addresses.size(), true);
    moving += !h.moved.empty();
    for (const Person& p : h.members) {
      for (size_t i = 1; i < p.enrollments.size(); ++i) {
        const Enrollment& e = p.enrollments[i];
        const Enrollment& prev = p.enrollments[i - 1];
        if (e.event != LifeEvent::kMove) continue;
        ASSERT_FALSE(h.moved.empty()) << p.id;
        EXPECT_NE(e.insurer, prev.insurer) << p.id;
        EXPECT_NE(Entry(h, e.address).text, Entry(h, prev.address).text);
        EXPECT_LE(Days(e.from) - Days(h.moved[0]), 10) << p.id;
        if (Kind(e.insurer) != InsurerKind::kKokuho) continue;
        ++kokuho_moves;
        EXPECT_EQ(Kind(prev.insurer), InsurerKind::kKokuho) << p.id;
        EXPECT_EQ(insurers_->Kokuho(Entry(h, e.address)), e.insurer);
        EXPECT_EQ(insurers_->Kokuho(Entry(h, prev.address)), prev.insurer);
      }
    }
  }
  EXPECT_NEAR(static_cast<double>(moving) / kHouseholds,
              WorldOptions().move_rate, 0.02);
  EXPECT_GT(kokuho_moves, 20);
}

TEST_F(LifeTest, RetirementAtSixtyOrSixtyFiveLeavesTheEmployeeScheme) {
  int retired = 0, voluntary = 0, ended = 0;
  for (const Household& h : *households_) {
    for (const Person& p : h.members) {
      for (size_t i = 1; i < p.enrollments.size(); ++i) {
        const Enrollment& e = p.enrollments[i];
        const Enrollment& prev = p.enrollments[i - 1];
        if (e.event == LifeEvent::kVoluntaryEnded) {
          ++ended;
          EXPECT_EQ(Kind(e.insurer), InsurerKind::kKokuho);
        }
        if (e.event != LifeEvent::kRetirement) continue;
        ++retired;
        const InsurerKind before = Kind(prev.insurer);
        EXPECT_TRUE(before == InsurerKind::kKyokai ||
                    before == InsurerKind::kKumiai ||
                    before == InsurerKind::kKyosai)
            << p.id;
        // The insured's age, or the person's own when their own insurance
        // ended and the household's took over.
        const int own = AgeAt(p.birth, e.from);
        const int insured = AgeAt(h.members[0].birth, e.from);
        EXPECT_TRUE(own == 60 || own == 65 || insured == 60 || insured == 65)
            << p.id;
        if (e.insurer == prev.insurer && e.branch == prev.branch &&
            !e.dependent) {
          ++voluntary;  // 任意継続, up to two years
          EXPECT_TRUE(IsOpen(e.until) ||
                      Days(e.until) - Days(e.from) <= 2 * 366)
              << p.id;
        }
      }
    }
  }
  EXPECT_GT(retired, 100);
  EXPECT_GT(voluntary, 10);
  EXPECT_GT(ended, 0);
}

TEST_F(LifeTest, PersonsMoveOnTheirOwnAndHouseholdsTogether) {
  int own = 0, first_jobs = 0, shared = 0;
  for (const Household& h : *households_) {
    const Person& head = h.members[0];
    for (size_t m = 1; m < h.members.size(); ++m) {
      const Person& p = h.members[m];
      for (const Enrollment& e : p.enrollments) {
        first_jobs += e.event == LifeEvent::kFirstJob;
        if (!e.dependent && e.branch == "00") ++own;
        if (!e.dependent || e.name + 1u != p.names.size()) continue;
        for (const Enrollment& f : head.enrollments) {
          if (f.insurer != e.insurer || f.from != e.from) continue;
          if (e.branch.empty()) continue;  // numbered per member instead
          ++shared;  // the insured's 記号・番号, another 枝番
          EXPECT_EQ(f.symbol, e.symbol);
          EXPECT_EQ(f.number, e.number);
          EXPECT_NE(f.branch, e.branch);
        }
      }
    }
  }
  EXPECT_GT(own, 500);
  EXPECT_GT(first_jobs, 100);
  EXPECT_GT(shared, 1000);
}

TEST_F(LifeTest, RecentLifeEventsAreSometimesNotInTheRosterYet) {
  int late = 0, apart = 0;
  for (const Household& h : *households_) {
    for (const Person& p : h.members) {
      bool seen_late = false;
      for (const Enrollment& e : p.enrollments) {
        EXPECT_TRUE(!seen_late || !e.rostered) << p.id;  // in order
        if (e.rostered) continue;
        seen_late = true;
        ++late;
        EXPECT_FALSE(Before(e.from, AddDays(WorldOptions().as_of, -150)))
            << p.id;
        for (const Person& q : h.members) {
          for (const Enrollment& f : q.enrollments) {
            apart += &q != &p && f.rostered && f.insurer == e.insurer &&
                     f.from == e.from;
          }
        }
      }
    }
  }
  EXPECT_GT(late, 100);
  EXPECT_GT(apart, 5);  // a household member registered, this one not yet
}

TEST(PolicyTest, PoliciesComeAtTheirRates) {
  const PolicyMix mix;
  Rng rng(5);
  constexpr int kDraws = 20000;
  int no_kana_kouki = 0, no_kana_kokuho = 0, half = 0, mixed = 0, katakana = 0;
  std::map<VariantForm, int> forms;
  for (int i = 0; i < kDraws; ++i) {
    const StoragePolicy kouki = DrawPolicy(InsurerKind::kKouki, mix, rng);
    no_kana_kouki += kouki.kana_blank == 1;
    const StoragePolicy p = DrawPolicy(InsurerKind::kKokuho, mix, rng);
    no_kana_kokuho += p.kana_blank == 1;
    half += p.style.half_width_kana;
    mixed += p.alt_share > 0;
    katakana += p.katakana_kanji > 0;
    ++forms[p.style.variant];
  }
  auto share = [&](int n) { return static_cast<double>(n) / kDraws; };
  EXPECT_NEAR(share(no_kana_kouki), mix.kouki_no_kana, 0.02);
  EXPECT_NEAR(share(no_kana_kokuho), mix.kokuho_no_kana, 0.02);
  EXPECT_NEAR(share(half), mix.half_width, 0.02);
  EXPECT_NEAR(share(mixed), mix.mixed, 0.02);
  EXPECT_NEAR(share(katakana), mix.katakana_kanji, 0.02);
  EXPECT_NEAR(share(forms[VariantForm::kSubstitute]), mix.substitute, 0.02);
  EXPECT_NEAR(share(forms[VariantForm::kWildcard]), mix.wildcard, 0.02);
  EXPECT_NEAR(share(forms[VariantForm::kGaiji]), mix.gaiji, 0.02);
}

NameForm Takahashi() {
  NameForm n;
  n.surname = "髙橋";
  n.given = "今日子";
  n.surname_kana = "タカハシ";
  n.given_kana = "キョウコ";
  n.variant_index = 0;
  n.canonical = U'高';
  return n;
}

std::string Write(const NameForm& n, const StoragePolicy& p) {
  const auto variants = VariantTable::Build();
  const RosterName r = WriteRosterName(n, p, *variants, 1);
  return r.kanji + "|" + r.kana;
}

TEST(PolicyTest, RosterNamesFollowThePolicy) {
  StoragePolicy p;
  EXPECT_EQ(Write(Takahashi(), p), "髙橋　今日子|タカハシ　キョウコ");
  p.style.variant = VariantForm::kSubstitute;
  p.style.kanji_space = NameSpace::kNone;
  p.style.half_width_kana = true;
  EXPECT_EQ(Write(Takahashi(), p), "高橋今日子|ﾀｶﾊｼ ｷｮｳｺ");
  p.style = NameStyle();
  p.style.variant = VariantForm::kWildcard;
  p.style.kana_space = NameSpace::kAscii;
  p.style.small_as_large = true;
  p.style.long_vowel = LongVowel::kBar;
  EXPECT_EQ(Write(Takahashi(), p), "●橋　今日子|タカハシ キヨーコ");
  p.style = NameStyle();
  p.style.variant = VariantForm::kGaiji;
  const std::string gaiji = Write(Takahashi(), p);
  const auto chars = normalizer::DecodeUtf8(gaiji);
  ASSERT_TRUE(chars.ok());
  EXPECT_GE((*chars)[0], 0xE000u);
  EXPECT_LE((*chars)[0], 0xE757u);
  p.gaiji_offset = 7;  // another insurer's 外字 table
  EXPECT_NE(Write(Takahashi(), p), gaiji);
  // A variation sequence is kept only by systems that can.
  NameForm tsuji = Takahashi();
  tsuji.surname = "辻\U000E0100";
  tsuji.variant_index = -1;
  p.style = NameStyle();
  EXPECT_EQ(Write(tsuji, p), "辻　今日子|タカハシ　キョウコ");
  p.style.keep_ivs = true;
  EXPECT_EQ(Write(tsuji, p), "辻\U000E0100　今日子|タカハシ　キョウコ");
  // No kana kept; katakana in the kanji column.
  p.style = NameStyle();
  p.kana_blank = 1;
  p.katakana_kanji = 1;
  EXPECT_EQ(Write(Takahashi(), p), "タカハシ　キョウコ|");
  EXPECT_EQ(JiForDji("ツヅキ"), "ツズキ");
  EXPECT_EQ(BarsAsVowels("ユーコ"), "ユウコ");
  EXPECT_EQ(LongVowelsAsBar("サトウ　ユウコ"), "サトー　ユーコ");
}

TEST_F(LifeTest, RosterRowsFollowTheirInsurersPolicies) {
  std::map<std::string, int> counts;
  for (const Household& h : *households_) {
    for (size_t m = 0; m < h.members.size(); ++m) {
      const Person& p = h.members[m];
      for (size_t i = 0; i < p.enrollments.size(); ++i) {
        const Enrollment& e = p.enrollments[i];
        const StoragePolicy& policy = insurers_->at(e.insurer).policy;
        const std::string row = RosterRow(
            p, e, h, *world_, Mix(9, static_cast<uint64_t>(h.id), m * 64 + i));
        const size_t kanji_at =
            row.find(',',
                     row.find(',', row.find(',', row.find(',') + 1) + 1) + 1) +
            1;
        const size_t kana_at = row.find(',', kanji_at) + 1;
        const std::string kanji = row.substr(kanji_at, kana_at - 1 - kanji_at);
        const std::string kana =
            row.substr(kana_at, row.find(',', kana_at) - kana_at);
        ++counts["rows"];
        EXPECT_TRUE(policy.kana_blank < 1 || kana.empty()) << row;
        EXPECT_TRUE(policy.kana_blank > 0 || !kana.empty()) << row;
        if (kana.empty()) ++counts["blank"];
        const bool wildcard = kanji.find("●") != std::string::npos;
        const bool half = kana.find("\xEF\xBD") != std::string::npos ||
                          kana.find("\xEF\xBE") != std::string::npos;
        counts["wildcard"] += wildcard;
        counts["half"] += half;
        if (policy.alt_share == 0) {  // a consistent insurer
          EXPECT_EQ(half, policy.style.half_width_kana && !kana.empty()) << row;
          if (wildcard) {
            EXPECT_EQ(policy.style.variant, VariantForm::kWildcard) << row;
          }
        }
        auto chars = normalizer::DecodeUtf8(kanji);
        ASSERT_TRUE(chars.ok());
        for (char32_t c : *chars) {
          if (c >= 0xE000 && c <= 0xF8FF) {
            ++counts["gaiji"];
            EXPECT_TRUE(policy.style.variant == VariantForm::kGaiji ||
                        policy.alt.variant == VariantForm::kGaiji);
          }
          if (IsVariationSelector(c)) {
            ++counts["ivs"];
            EXPECT_TRUE(policy.style.keep_ivs || policy.alt.keep_ivs);
          }
        }
      }
    }
  }
  for (const char* kind : {"blank", "wildcard", "half", "gaiji"}) {
    EXPECT_GT(counts[kind], 0) << kind;
  }
  // Registered names with a variation sequence or an old form exist; the
  // rows keep them only where the policy says so (above).
  int ivs = 0, old_forms = 0;
  for (const Household& h : *households_) {
    for (const Person& p : h.members) {
      const auto chars = normalizer::DecodeUtf8(p.name().surname);
      ivs += std::any_of(chars->begin(), chars->end(), IsVariationSelector);
      old_forms +=
          p.name().variant_index >=
          static_cast<int>(normalizer::CodePointCount(p.name().surname));
    }
  }
  EXPECT_GT(ivs, 0);
  EXPECT_GT(old_forms, 0);
  EXPECT_GT(counts["blank"], counts["rows"] / 20);
}

}  // namespace
}  // namespace kuromaru::gen
