#include "normalizer/name_kanji.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "normalizer/utf8.h"

namespace kuromaru::normalizer {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

KanjiName Normalize(std::string_view text) {
  absl::StatusOr<KanjiName> name = NormalizeKanjiName(text);
  EXPECT_TRUE(name.ok()) << text << ": " << name.status();
  return name.ok() ? *std::move(name) : KanjiName();
}

NameMatch Compare(std::string_view a, std::string_view b) {
  return CompareKanjiNames(Normalize(a), Normalize(b));
}

TEST(NormalizeKanjiNameTest, SplitsAtAnySpaceRun) {
  for (const char* text : {"山田　太郎", "山田 太郎", "  山田 \u3000 太郎 ",
                           "山田\t太郎", "山田\u00A0太郎"}) {
    KanjiName name = Normalize(text);
    EXPECT_EQ(name.key, "山田太郎") << text;
    EXPECT_EQ(name.surname, "山田") << text;
    EXPECT_EQ(name.given, "太郎") << text;
  }
  KanjiName unsplit = Normalize("山田太郎");
  EXPECT_EQ(unsplit.surname, "山田太郎");
  EXPECT_EQ(unsplit.given, "");
}

TEST(NormalizeKanjiNameTest, LooseKeyFoldsVariants) {
  KanjiName name = Normalize("髙﨑　德次郎");
  EXPECT_EQ(name.key, "髙﨑德次郎");
  EXPECT_EQ(name.loose_key, "高崎徳次郎");
  EXPECT_EQ(name.loose_surname, "高崎");
  EXPECT_EQ(name.loose_given, "徳次郎");
  EXPECT_EQ(Normalize("渡邉 𠮷男").loose_key, "渡辺吉男");
  EXPECT_EQ(Normalize("齋藤").loose_key, "斎藤");
  EXPECT_EQ(Normalize("齊藤").loose_key, "斉藤");
}

TEST(NormalizeKanjiNameTest, CompatibilityIdeographs) {
  // 塚 U+FA10 decomposes canonically; 﨑 U+FA11 does not and stays in the key.
  EXPECT_EQ(Normalize("\uFA10本").key, "塚本");
  EXPECT_EQ(Normalize("山\uFA11").key, "山\uFA11");
  EXPECT_EQ(Normalize("山\uFA11").loose_key, "山崎");
  EXPECT_EQ(Normalize("\uFA4F介").key, "祐介");
  EXPECT_EQ(Normalize("\U0002F80F").key, "\u5154");  // supplement block
}

TEST(NormalizeKanjiNameTest, NfkcHygiene) {
  EXPECT_EQ(Normalize("ＡＢＣ　ｘｙｚ").key, "ABCxyz");
  EXPECT_EQ(Normalize("ｶﾅ").key, "カナ");
  EXPECT_EQ(Normalize("ｶﾞｸ").key, "ガク");
  EXPECT_EQ(Normalize("カ゛ク").key, "ガク");  // spacing mark, no separator
  EXPECT_EQ(Normalize("ｶ　ﾞ山").key, "カ山");  // a mark with nothing to voice
  EXPECT_EQ(Normalize("⼭田").key, "山田");    // Kangxi radical U+2F2D
  EXPECT_EQ(Normalize("山\u200B田").key, "山田");
  EXPECT_EQ(Normalize("佐々木").key, "佐々木");
}

TEST(NormalizeKanjiNameTest, EveryPlaceholderIsOneWildcard) {
  for (const char* text :
       {"●橋", "〓橋", "■橋", "？橋", "?橋", "\uFFFD橋", "\uE000橋", "\uF8FF橋",
        "\U000F0000橋", "\U000FFFFD橋", "\U00100000橋", "\U0010FFFD橋"}) {
    KanjiName name = Normalize(text);
    EXPECT_EQ(name.key, "●橋") << text;
    EXPECT_EQ(name.loose_key, "●橋") << text;
    EXPECT_EQ(name.wildcard_count, 1) << text;
    EXPECT_THAT(name.wildcard_positions, ElementsAre(0)) << text;
  }
}

TEST(NormalizeKanjiNameTest, WildcardPositionsIgnoreSpaces) {
  KanjiName name = Normalize("●田　太〓？");
  EXPECT_EQ(name.key, "●田太●●");
  EXPECT_EQ(name.wildcard_count, 3);
  EXPECT_THAT(name.wildcard_positions, ElementsAre(0, 3, 4));
  EXPECT_EQ(name.surname, "●田");
  EXPECT_EQ(name.given, "太●●");
}

TEST(NormalizeKanjiNameTest, VariationSelectorsAreNoted) {
  KanjiName name = Normalize("葛\U000E0100城　辻\U000E0101");
  EXPECT_EQ(name.key, "葛城辻");
  EXPECT_THAT(name.variation_notes,
              ElementsAre("U+845B U+E0100", "U+8FBB U+E0101"));
  EXPECT_EQ(Normalize("神\uFE00").key, "神");
  EXPECT_THAT(Normalize("神\uFE00").variation_notes,
              ElementsAre("U+795E U+FE00"));
  EXPECT_THAT(Normalize("\U000E0100山").variation_notes,
              ElementsAre("U+E0100"));
  EXPECT_THAT(Normalize("山田").variation_notes, IsEmpty());
}

TEST(NormalizeKanjiNameTest, KanaInKanjiField) {
  KanjiName name = Normalize("タカハシ　イチロウ");
  EXPECT_TRUE(name.is_kana);
  EXPECT_EQ(name.key, "タカハシイチロウ");
  EXPECT_EQ(name.kana_key, "タカハシイチロウ");
  KanjiName half = Normalize("ｷｮｳｺ");
  EXPECT_TRUE(half.is_kana);
  EXPECT_EQ(half.key, "キョウコ");
  EXPECT_EQ(half.kana_key, "キヨウコ");
  EXPECT_TRUE(Normalize("やまだ").is_kana);
  EXPECT_FALSE(Normalize("山田　はな").is_kana);
  EXPECT_FALSE(Normalize("●カハシ").is_kana);
  EXPECT_TRUE(Normalize("山田").kana_key.empty());
}

TEST(NormalizeKanjiNameTest, Errors) {
  EXPECT_EQ(NormalizeKanjiName("").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizeKanjiName(" \u3000 ").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizeKanjiName("山\xFF").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizeKanjiName("\xED\xA0\x80").status().code(),  // surrogate
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizeKanjiName("\U000E0100").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(NormalizeKanjiNameTest, Properties) {
  const std::vector<std::string> inputs = {
      "山田　太郎", "髙橋 一郎",         "●橋　〓子",
      "\uFA10本",   "渡邉\U000E0101 ？", "ＡＢＣ",
      "ｶﾀｶﾅ ﾅﾏｴ",   "\uE000\U00100000",  "𠮷野家",
      "佐々木 ミサ"};
  for (const std::string& input : inputs) {
    KanjiName name = Normalize(input);
    EXPECT_TRUE(IsValidUtf8(name.key)) << input;
    EXPECT_TRUE(IsValidUtf8(name.loose_key)) << input;
    EXPECT_EQ(name.surname + name.given, name.key) << input;
    EXPECT_EQ(name.loose_surname + name.loose_given, name.loose_key) << input;
    EXPECT_EQ(CodePointCount(name.key), CodePointCount(name.loose_key));
    const std::string rejoined =
        name.given.empty() ? name.surname : name.surname + " " + name.given;
    KanjiName again = Normalize(rejoined);
    EXPECT_EQ(again.key, name.key) << input;
    EXPECT_EQ(again.surname, name.surname) << input;
    EXPECT_EQ(again.wildcard_count, name.wildcard_count) << input;
    EXPECT_EQ(again.wildcard_positions, name.wildcard_positions) << input;
    EXPECT_EQ(Normalize(name.loose_key).loose_key, name.loose_key) << input;
  }
}

TEST(CompareKanjiNamesTest, Levels) {
  EXPECT_EQ(Compare("髙橋", "髙橋"), NameMatch::kExact);
  EXPECT_EQ(Compare("髙橋 一郎", "髙橋一郎"), NameMatch::kExact);
  EXPECT_EQ(Compare("髙橋", "高橋"), NameMatch::kExactAfterFolding);
  EXPECT_EQ(Compare("高橋", "髙橋"), NameMatch::kExactAfterFolding);
  EXPECT_EQ(Compare("渡邊", "渡邉"), NameMatch::kExactAfterFolding);
  EXPECT_EQ(Compare("澤田", "沢田"), NameMatch::kExactAfterFolding);
  EXPECT_EQ(Compare("齋藤", "斎藤"), NameMatch::kExactAfterFolding);
  EXPECT_EQ(Compare("斎藤", "斉藤"), NameMatch::kDifferent);
  EXPECT_EQ(Compare("齋藤", "齊藤"), NameMatch::kDifferent);
  EXPECT_EQ(Compare("高橋", "石橋"), NameMatch::kDifferent);
}

TEST(CompareKanjiNamesTest, Wildcards) {
  EXPECT_EQ(Compare("●橋", "髙橋"), NameMatch::kWildcardCompatible);
  EXPECT_EQ(Compare("●橋", "高橋"), NameMatch::kWildcardCompatible);
  EXPECT_EQ(Compare("髙橋", "●橋"), NameMatch::kWildcardCompatible);
  // The wildcard level cannot tell 髙 from 石; the kana name decides.
  EXPECT_EQ(Compare("●橋", "石橋"), NameMatch::kWildcardCompatible);
  EXPECT_EQ(Compare("●橋", "●橋"), NameMatch::kWildcardCompatible);
  EXPECT_EQ(Compare("●﨑 太郎", "山崎太郎"), NameMatch::kWildcardCompatible);
  EXPECT_EQ(Compare("●橋", "高橋一"), NameMatch::kDifferent);
  EXPECT_EQ(Compare("●橋", "高田"), NameMatch::kDifferent);
}

TEST(CompareKanjiKeysTest, AgreesWithCompareKanjiNames) {
  const char* names[] = {"髙橋",   "高橋", "●橋",  "石橋",     "髙橋 一郎",
                         "高橋一", "渡邊", "渡邉", "●﨑 太郎", "山崎太郎"};
  for (const char* a : names) {
    for (const char* b : names) {
      KanjiName x = Normalize(a);
      KanjiName y = Normalize(b);
      EXPECT_EQ(CompareKanjiKeys(x.key, x.loose_key, y.key, y.loose_key),
                CompareKanjiNames(x, y))
          << a << " / " << b;
    }
  }
  EXPECT_EQ(CompareKanjiKeys("髙橋", "高橋", "高橋", "高橋"),
            NameMatch::kExactAfterFolding);
  EXPECT_EQ(CompareKanjiKeys("●橋", "●橋", "石橋", "石橋"),
            NameMatch::kWildcardCompatible);
  EXPECT_EQ(CompareKanjiKeys("高田", "高田", "高橋", "高橋"),
            NameMatch::kDifferent);
}

TEST(NameKanjiTest, PartsThatComposeOnceJoinedGiveAStableKey) {
  // Hangul jamo on both sides of the separator compose into one syllable when
  // the separator goes: the key must already be the composed form.
  absl::StatusOr<KanjiName> name = NormalizeKanjiName("\u3146 \u315E");
  ASSERT_TRUE(name.ok()) << name.status();
  absl::StatusOr<KanjiName> again = NormalizeKanjiName(name->key);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->key, name->key);
}

TEST(NormalizeKanjiNameTest, PartsThatComposeWithinTheGivenNameAreJoined) {
  // Half-width jamo separated by a tab inside the given name (found by the
  // fuzzer): KHIEUKH then YA compose into one syllable once joined.
  const std::string input = "S\u25C3\uFF7B\tS\u25E1 \uFFC4\uFFBB\t\uFFC4\uFF84";
  absl::StatusOr<KanjiName> name = NormalizeKanjiName(input);
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_NE(name->key.find("\uCEAC"), std::string::npos);  // 캬, composed
  absl::StatusOr<KanjiName> again = NormalizeKanjiName(name->key);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->key, name->key);
  EXPECT_EQ(again->loose_key, name->loose_key);
}

}  // namespace
}  // namespace kuromaru::normalizer
