// `kuromaru gen`'s library: the files it writes keep FORMATS.md, the truth
// agrees with the roster, the categories come in their shares, a seed gives
// the same files.
#include <stdlib.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "kuromaru/v1/receipt.pb.h"
#include "normalizer/date.h"
#include "normalizer/insurer.h"
#include "normalizer/utf8.h"
#include "services/gen/generator.h"
#include "services/gen/noise.h"
#include "services/gen/profile.h"
#include "services/gen/render.h"
#include "services/gen/variants.h"
#include "services/io/proto_json.h"
#include "tests/support/csv.h"

namespace kuromaru::gen {
namespace {

using ::testing::ElementsAre;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& path) {
  std::vector<std::string> out;
  std::istringstream in(ReadAll(path));
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

using ::kuromaru::testing::CsvFields;

std::string MakeTempDir() {
  std::string dir = ::testing::TempDir() + "/kuromaru_gen_XXXXXX";
  return mkdtemp(dir.data()) != nullptr ? dir : "";
}

class GenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto sources = LoadSources(SourcePaths());
    ASSERT_TRUE(sources.ok()) << sources.status();
    sources_ = sources->release();
    options_ = new GenOptions();
    options_->persons = 3000;
    options_->receipts = 3000;
    options_->seed = 11;
    options_->cp932 = true;
    options_->out_dir = MakeTempDir();
    auto summary = Generate(*options_, *sources_);
    ASSERT_TRUE(summary.ok()) << summary.status();
    summary_ = new GenSummary(*summary);
  }

  static std::string Path(const char* name) {
    return options_->out_dir + "/" + name;
  }

  static std::vector<std::vector<std::string>> Roster() {
    std::vector<std::vector<std::string>> rows;
    for (const std::string& line : Lines(Path("roster.csv"))) {
      rows.push_back(CsvFields(line));
    }
    return rows;
  }

  static google::protobuf::Struct ParseTruth(const std::string& line) {
    google::protobuf::Struct s;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &s).ok())
        << line;
    return s;
  }

  static const Sources* sources_;
  static GenOptions* options_;
  static GenSummary* summary_;
};

const Sources* GenTest::sources_ = nullptr;
GenOptions* GenTest::options_ = nullptr;
GenSummary* GenTest::summary_ = nullptr;

std::string Str(const google::protobuf::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? "" : it->second.string_value();
}

bool Bool(const google::protobuf::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it != s.fields().end() && it->second.bool_value();
}

TEST_F(GenTest, RosterRowsHaveTheFormatColumns) {
  const auto rows = Roster();
  ASSERT_FALSE(rows.empty());
  EXPECT_THAT(
      rows[0],
      ElementsAre("insurer_number", "symbol", "number", "branch", "name_kanji",
                  "name_kana", "birth_date", "sex", "qualified_from",
                  "qualified_until", "postal_code", "address"));
  EXPECT_EQ(static_cast<int64_t>(rows.size()) - 1, summary_->roster_rows);
  EXPECT_EQ(summary_->persons, 3000);
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    ASSERT_EQ(r.size(), 12u) << "row " << i;
    EXPECT_FALSE(r[2].empty()) << "row " << i;
    EXPECT_TRUE(normalizer::IsValidUtf8(r[4]) && !r[4].empty()) << r[4];
    EXPECT_TRUE(normalizer::IsValidUtf8(r[5])) << r[5];
    EXPECT_TRUE(normalizer::ParseDate(r[6]).ok()) << r[6];
    EXPECT_TRUE(r[7] == "1" || r[7] == "2") << r[7];
    EXPECT_TRUE(normalizer::ParseDate(r[8]).ok()) << r[8];
    if (!r[9].empty()) {
      EXPECT_LT(r[8], r[9]);
    }
  }
}

TEST_F(GenTest, EveryInsurerNumberPassesTheCheckDigit) {
  for (const auto& r : Roster()) {
    if (r[0] == "insurer_number") continue;
    EXPECT_TRUE(r[0].size() == 8 || r[0].size() == 6) << r[0];
    EXPECT_TRUE(normalizer::HasValidCheckDigit(r[0])) << r[0];
  }
  const auto directory = Lines(Path("directory.csv"));
  EXPECT_EQ(static_cast<int64_t>(directory.size()) - 1, summary_->insurers);
  std::set<std::string> numbers;
  for (size_t i = 1; i < directory.size(); ++i) {
    const auto f = CsvFields(directory[i]);
    ASSERT_EQ(f.size(), 7u) << directory[i];
    EXPECT_TRUE(normalizer::HasValidCheckDigit(f[0])) << f[0];
    EXPECT_TRUE(numbers.insert(f[0]).second) << "duplicate " << f[0];
    EXPECT_FALSE(f[1].empty());
  }
}

TEST_F(GenTest, RosterEnrollmentKeysAreUnique) {
  std::set<std::string> keys;
  for (const auto& r : Roster()) {
    const std::string key =
        r[0] + "|" + r[1] + "|" + r[2] + "|" + r[3] + "|" + r[8];
    EXPECT_TRUE(keys.insert(key).second) << key;
  }
}

TEST_F(GenTest, TruthAgreesWithTheRoster) {
  std::map<std::string, std::vector<std::string>> by_key;
  for (const auto& r : Roster()) {
    by_key[r[0] + "|" + r[1] + "|" + r[2] + "|" + r[3] + "|" + r[8]] = r;
  }
  const auto receipts = Lines(Path("receipts.jsonl"));
  const auto truth = Lines(Path("truth.jsonl"));
  ASSERT_EQ(receipts.size(), 3000u);
  ASSERT_EQ(truth.size(), 3000u);
  std::set<std::string> ids;
  for (size_t i = 0; i < truth.size(); ++i) {
    v1::Receipt receipt;
    ASSERT_TRUE(io::FromJson(receipts[i], &receipt).ok()) << receipts[i];
    const auto t = ParseTruth(truth[i]);
    EXPECT_EQ(receipt.receipt_id(), Str(t, "receipt_id"));
    EXPECT_TRUE(ids.insert(receipt.receipt_id()).second);
    EXPECT_TRUE(normalizer::IsValidUtf8(receipt.name_kanji()));
    EXPECT_TRUE(normalizer::IsValidUtf8(receipt.name_kana()));
    EXPECT_TRUE(
        normalizer::HasValidCheckDigit(Str(t, "expected_insurer_number")));
    if (!Bool(t, "in_roster")) {
      EXPECT_EQ(Str(t, "category"), "not_in_roster");
      continue;
    }
    const std::string key = Str(t, "insurer_number") + "|" + Str(t, "symbol") +
                            "|" + Str(t, "number") + "|" + Str(t, "branch") +
                            "|" + Str(t, "qualified_from");
    auto it = by_key.find(key);
    ASSERT_NE(it, by_key.end()) << truth[i];
    auto month = normalizer::ParseMonth(receipt.service_month());
    ASSERT_TRUE(month.ok()) << receipt.service_month();
    const std::string first_day = month->key + "01";
    const auto& row = it->second;
    const bool covers =
        row[8] <= first_day && (row[9].empty() || first_day < row[9]);
    EXPECT_EQ(covers, Bool(t, "valid_in_month")) << truth[i];
    const std::string category = Str(t, "category");
    EXPECT_EQ(covers, category != "late_roster" &&
                          category != "household_member" &&
                          category != "late_life_event")
        << truth[i];
  }
}

TEST_F(GenTest, CategoriesComeInTheirShares) {
  std::map<std::string, int> counts;
  for (const auto& line : Lines(Path("truth.jsonl"))) {
    ++counts[Str(ParseTruth(line), "category")];
  }
  const ReceiptMix mix;
  for (int c = 0; c < kCategoryCount; ++c) {
    const std::string name(CategoryName(static_cast<Category>(c)));
    const double share = counts[name] / 3000.0;
    EXPECT_NEAR(share, mix.shares[c], 0.035) << name;
    EXPECT_GT(counts[name], 0) << name;
  }
}

TEST_F(GenTest, CategoriesShowTheirDifficulty) {
  const auto receipts = Lines(Path("receipts.jsonl"));
  const auto truth = Lines(Path("truth.jsonl"));
  for (size_t i = 0; i < truth.size(); ++i) {
    v1::Receipt r;
    ASSERT_TRUE(io::FromJson(receipts[i], &r).ok());
    const auto t = ParseTruth(truth[i]);
    const std::string category = Str(t, "category");
    if (category == "fusho" || category == "namesake") {
      EXPECT_TRUE(r.insurer_number() == "77777777" ||
                  r.insurer_number() == "77777779");
      EXPECT_TRUE(r.number() == "777777777" || r.number() == "77777777");
      EXPECT_EQ(r.symbol(), "");
    } else if (category == "insurer_typo") {
      EXPECT_FALSE(normalizer::HasValidCheckDigit(r.insurer_number()));
      EXPECT_NE(r.insurer_number(), Str(t, "insurer_number"));
    } else if (category == "member_typo") {
      EXPECT_NE(r.number(), Str(t, "number"));
      EXPECT_EQ(r.insurer_number(), Str(t, "insurer_number"));
    } else if (category == "stale_insurer") {
      EXPECT_TRUE(r.insurer_number() != Str(t, "insurer_number") ||
                  r.number() != Str(t, "number"));
    } else if (category == "name_wildcard") {
      EXPECT_NE(r.name_kanji().find("●"), std::string::npos) << r.name_kanji();
    } else if (category == "missing_sex") {
      EXPECT_TRUE(r.sex() != "1" && r.sex() != "2");
    } else if (category == "exact") {
      EXPECT_EQ(r.insurer_number(), Str(t, "insurer_number"));
      EXPECT_EQ(r.number(), Str(t, "number"));
      EXPECT_EQ(r.branch(), Str(t, "branch"));
    }
  }
}

TEST_F(GenTest, SameSeedSameFilesOtherSeedOtherFiles) {
  GenOptions again = *options_;
  again.out_dir = MakeTempDir();
  again.persons = 400;
  again.receipts = 300;
  GenOptions twin = again;
  twin.out_dir = MakeTempDir();
  GenOptions other = again;
  other.out_dir = MakeTempDir();
  other.seed = 12;
  for (const GenOptions* o : {&again, &twin, &other}) {
    ASSERT_TRUE(Generate(*o, *sources_).ok());
  }
  for (const char* f : {"roster.csv", "receipts.jsonl", "truth.jsonl",
                        "directory.csv", "roster-cp932.csv"}) {
    const std::string a = ReadAll(again.out_dir + "/" + f);
    EXPECT_FALSE(a.empty()) << f;
    EXPECT_EQ(a, ReadAll(twin.out_dir + "/" + f)) << f;
  }
  EXPECT_NE(ReadAll(again.out_dir + "/roster.csv"),
            ReadAll(other.out_dir + "/roster.csv"));
}

// The share of truth lines with kana noise (the category or an overlay),
// with birth-date noise, of persons not in the roster; and of roster rows
// with blank kana.
struct Shares {
  double kana = 0, birth = 0, absent = 0, blank_kana = 0;
};

Shares Measure(const std::string& dir) {
  Shares s;
  const auto truth = Lines(dir + "/truth.jsonl");
  for (const std::string& line : truth) {
    google::protobuf::Struct t;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &t).ok());
    const std::string category = Str(t, "category");
    const std::string noise = Str(t, "noise");
    s.kana += category == "kana_noise" || noise.find("kana:") == 0;
    s.birth += category == "birth_date_noise" ||
               noise.find("birth_date:") != std::string::npos;
    s.absent += category == "not_in_roster";
  }
  s.kana /= truth.size();
  s.birth /= truth.size();
  s.absent /= truth.size();
  const auto roster = Lines(dir + "/roster.csv");
  for (size_t i = 1; i < roster.size(); ++i) {
    s.blank_kana += CsvFields(roster[i])[5].empty();
  }
  s.blank_kana /= roster.size() - 1;
  return s;
}

TEST_F(GenTest, HeldoutProfileHasItsOwnSeedAndRates) {
  EXPECT_EQ(*ParseProfile("default"), Profile::kDefault);
  EXPECT_EQ(*ParseProfile("heldout"), Profile::kHeldout);
  EXPECT_TRUE(absl::IsInvalidArgument(ParseProfile("tuned").status()));
  const GenOptions plain;
  const GenOptions standard = ProfileOptions(Profile::kDefault);
  EXPECT_EQ(standard.seed, plain.seed);
  EXPECT_EQ(standard.mix.shares, plain.mix.shares);
  EXPECT_EQ(standard.policies.kouki_no_kana, plain.policies.kouki_no_kana);
  EXPECT_EQ(standard.world.marriage_rate, plain.world.marriage_rate);

  GenOptions heldout = ProfileOptions(Profile::kHeldout);
  EXPECT_NE(heldout.seed, plain.seed);
  heldout.persons = 3000;
  heldout.receipts = 3000;
  heldout.out_dir = MakeTempDir();
  GenOptions twin = heldout;
  twin.out_dir = MakeTempDir();
  ASSERT_TRUE(Generate(heldout, *sources_).ok());
  ASSERT_TRUE(Generate(twin, *sources_).ok());
  for (const char* f : {"roster.csv", "receipts.jsonl", "truth.jsonl"}) {
    EXPECT_EQ(ReadAll(heldout.out_dir + "/" + f),
              ReadAll(twin.out_dir + "/" + f))
        << f;
  }
  const Shares d = Measure(options_->out_dir);
  const Shares h = Measure(heldout.out_dir);
  // The profile's documented rates (profile.h).
  EXPECT_NEAR(d.kana, 0.079, 0.02);
  EXPECT_NEAR(h.kana, 0.236, 0.03);
  EXPECT_NEAR(d.birth, 0.069, 0.02);
  EXPECT_NEAR(h.birth, 0.208, 0.03);
  EXPECT_NEAR(d.absent, 0.07, 0.02);
  EXPECT_NEAR(h.absent, 0.20, 0.03);
  EXPECT_GT(h.blank_kana, d.blank_kana + 0.05);
}

TEST_F(GenTest, Cp932RosterHasTheSameLines) {
  EXPECT_EQ(Lines(Path("roster-cp932.csv")).size(),
            Lines(Path("roster.csv")).size());
  auto variants = VariantTable::Build();
  auto encoder = Cp932Encoder::Create(*variants);
  ASSERT_TRUE(encoder.ok()) << encoder.status();
  EXPECT_EQ((*encoder)->Encode("\uE000"), "\xF0\x40");  // 外字, user area
  EXPECT_EQ((*encoder)->Encode("髙橋"), "\xFB\xFC\x8B\xB4");
  EXPECT_EQ((*encoder)->Encode("ｻﾄｳ"), "\xBB\xC4\xB3");
}

TEST(GenNoiseTest, WarekiAndWrongEra) {
  EXPECT_EQ(WarekiDate({1975, 1, 23}), "3500123");
  EXPECT_EQ(WarekiDate({2019, 5, 1}), "5010501");
  EXPECT_EQ(WarekiDate({1989, 1, 7}), "3640107");
  EXPECT_EQ(WarekiMonth(2024, 4), "50604");
  Rng rng(1);
  const Date latest{2025, 4, 1};
  // 昭和5年 → 大正5年 or 平成5年.
  EXPECT_THAT(WrongEraDate({1930, 3, 4}, latest, rng),
              ::testing::AnyOf("2050304", "4050304"));
  EXPECT_EQ(WrongEraDate({1985, 3, 4}, latest, rng), "");  // no 平成60年
  // 平成3年 → 昭和3年 or 令和3年; 平成20年 → only 昭和20年, 令和20年 is
  // in the future.
  EXPECT_THAT(WrongEraDate({1991, 6, 1}, latest, rng),
              ::testing::AnyOf("3030601", "5030601"));
  EXPECT_EQ(WrongEraDate({2008, 6, 1}, latest, rng), "3200601");
  EXPECT_EQ(CivilFromDays(DaysFromCivil({2024, 2, 29})), (Date{2024, 2, 29}));
  EXPECT_EQ(AddYears({1948, 2, 29}, 75), (Date{2023, 3, 1}));
}

TEST(GenNoiseTest, KanaSpellings) {
  EXPECT_EQ(ToHalfWidthKana("タカハシ\u3000イチロウ"), "ﾀｶﾊｼ ｲﾁﾛｳ");
  EXPECT_EQ(ToHalfWidthKana("ワタナベ"), "ﾜﾀﾅﾍﾞ");
  EXPECT_EQ(SmallAsLarge("キョウコ"), "キヨウコ");
  EXPECT_EQ(SwapLongVowel("サトウ"), "サトー");
  EXPECT_EQ(SwapLongVowel("ケイコ"), "ケーコ");
  EXPECT_EQ(SwapLongVowel("ユーコ"), "ユウコ");
  EXPECT_EQ(SwapLongVowel("タナカ"), "タナカ");
  Rng rng(3);
  EXPECT_EQ(DropVoicing("ワタナベ", rng), "ワタナヘ");
}

TEST(GenNoiseTest, DigitTypos) {
  Rng rng(5);
  for (int i = 0; i < 50; ++i) {
    const std::string changed = ChangeOneDigit("01130012", 0, rng);
    int diffs = 0;
    for (size_t k = 0; k < changed.size(); ++k)
      diffs += changed[k] != "01130012"[k];
    EXPECT_EQ(diffs, 1) << changed;
    EXPECT_FALSE(normalizer::HasValidCheckDigit(changed)) << changed;
  }
  EXPECT_EQ(SwapAdjacentDigits("1111", rng), "");
  EXPECT_EQ(SwapAdjacentDigits("12", rng), "21");
}

TEST(GenSourcesTest, GivenNameSexFromTheReading) {
  EXPECT_EQ(GuessGivenNameSex("イチロウ"), NameSex::kMale);
  EXPECT_EQ(GuessGivenNameSex("ケイスケ"), NameSex::kMale);
  EXPECT_EQ(GuessGivenNameSex("ハナコ"), NameSex::kFemale);
  EXPECT_EQ(GuessGivenNameSex("ヒロミ"), NameSex::kFemale);
  EXPECT_EQ(GuessGivenNameSex("カオリ"), NameSex::kFemale);
  EXPECT_EQ(GuessGivenNameSex("ユウ"), NameSex::kEither);
}

TEST(GenSourcesTest, MissingFileIsNotFound) {
  SourcePaths paths;
  paths.names = "/nonexistent/Noun.name.csv";
  auto sources = LoadSources(paths);
  EXPECT_TRUE(absl::IsNotFound(sources.status())) << sources.status();
}

}  // namespace
}  // namespace kuromaru::gen
