#include "normalizer/kana.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "normalizer/utf8.h"

namespace kuromaru::normalizer {
namespace {

std::string Key(std::string_view text) {
  absl::StatusOr<KanaName> name = NormalizeKanaName(text);
  EXPECT_TRUE(name.ok()) << text << ": " << name.status();
  return name.ok() ? name->key : "";
}

std::string Loose(std::string_view text) {
  absl::StatusOr<KanaName> name = NormalizeKanaName(text);
  EXPECT_TRUE(name.ok()) << text << ": " << name.status();
  return name.ok() ? name->loose_key : "";
}

// Half-width to full-width with voiced marks composed, as jaconv's h2z and
// neologdn's normalize expect (ｶﾞ → ガ, ﾊﾟ → パ, ｳﾞ → ヴ).
TEST(KanaDisplayTest, HalfWidthBecomesFullWidth) {
  absl::StatusOr<KanaName> name = NormalizeKanaName("ﾀｶﾊｼ ｲﾁﾛｰ");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->display, "タカハシ　イチロー");
  EXPECT_EQ(name->key, "タカハシイチロウ");
  EXPECT_EQ(name->surname, "タカハシ");
  EXPECT_EQ(name->given, "イチロウ");
  EXPECT_EQ(NormalizeKanaName("ｶﾞｷﾞﾊﾟﾋﾟｳﾞ")->display, "ガギパピヴ");
  EXPECT_EQ(NormalizeKanaName("ｱｲｳｴｵ")->display, "アイウエオ");
  EXPECT_EQ(NormalizeKanaName("ﾃﾞｨｽﾞﾆｰ")->display, "ディズニー");
}

TEST(KanaDisplayTest, VoicingMarksCompose) {
  EXPECT_EQ(NormalizeKanaName("カ\u3099")->display, "ガ");  // combining
  EXPECT_EQ(NormalizeKanaName("ハ\u309A")->display, "パ");
  EXPECT_EQ(NormalizeKanaName("カ゛")->display, "ガ");  // spacing U+309B
  EXPECT_EQ(NormalizeKanaName("ホ゜")->display, "ポ");  // spacing U+309C
  EXPECT_EQ(NormalizeKanaName("う゛")->display, "ヴ");
  EXPECT_EQ(NormalizeKanaName("ト\u3099")->display, "ド");
  EXPECT_EQ(NormalizeKanaName("ア゛")->display, "ア");  // nothing to voice
}

TEST(KanaDisplayTest, HiraganaBecomesKatakana) {
  EXPECT_EQ(NormalizeKanaName("やまだ　はなこ")->display, "ヤマダ　ハナコ");
  EXPECT_EQ(Key("さとう"), Key("サトウ"));
  EXPECT_EQ(Key("いすゞ"), "イスズ");
  EXPECT_EQ(Key("サヽキ"), "ササキ");
}

TEST(KanaDisplayTest, SeparatorRunsCollapse) {
  absl::StatusOr<KanaName> name = NormalizeKanaName("  ヤマダ \u3000 タロウ  ");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->display, "ヤマダ　タロウ");
  EXPECT_EQ(name->key, "ヤマダタロウ");
  EXPECT_EQ(name->surname, "ヤマダ");
  EXPECT_EQ(name->given, "タロウ");
  name = NormalizeKanaName("ヤマダタロウ");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->surname, "ヤマダタロウ");
  EXPECT_EQ(name->given, "");
  EXPECT_EQ(NormalizeKanaName("ジョン・スミス")->display, "ジョン　スミス");
}

TEST(KanaKeyTest, SmallKanaBecomeLarge) {
  EXPECT_EQ(Key("キョウコ"), "キヨウコ");
  EXPECT_EQ(Key("キョウコ"), Key("キヨウコ"));
  EXPECT_EQ(Key("ハットリ"), Key("ハツトリ"));
  EXPECT_EQ(Key("ァィゥェォッャュョヮヵヶ"), "アイウエオツヤユヨワカケ");
  EXPECT_EQ(Key("ｷｮｳｺ"), "キヨウコ");
}

TEST(KanaKeyTest, VuRowBecomesBaRow) {
  EXPECT_EQ(Key("ヴァ"), "バ");
  EXPECT_EQ(Key("ヴィ"), "ビ");
  EXPECT_EQ(Key("ヴ"), "ブ");
  EXPECT_EQ(Key("ヴェ"), "ベ");
  EXPECT_EQ(Key("ヴォ"), "ボ");
  EXPECT_EQ(Key("ヴア"), Key("バ"));  // old systems store small kana large
  EXPECT_EQ(Key("ヴァイオレット"), Key("バイオレット"));
  EXPECT_EQ(Key("ｳﾞｨｸﾄﾙ"), Key("ビクトル"));
}

TEST(KanaKeyTest, ObsoleteKanaFold) {
  EXPECT_EQ(Key("ヂ"), "ジ");
  EXPECT_EQ(Key("ヅ"), "ズ");
  EXPECT_EQ(Key("ヲ"), "オ");
  EXPECT_EQ(Key("ヰ"), "イ");
  EXPECT_EQ(Key("ヱ"), "エ");
  EXPECT_EQ(Key("ミチヅ"), Key("ミチズ"));
  EXPECT_EQ(Key("ちぢみ"), Key("チジミ"));
}

TEST(KanaKeyTest, LongVowelBecomesAVowel) {
  EXPECT_EQ(Key("ユーコ"), "ユウコ");
  EXPECT_EQ(Key("ユーコ"), Key("ユウコ"));
  EXPECT_EQ(Key("オーノ"), "オウノ");
  EXPECT_EQ(Key("ソー"), "ソウ");
  EXPECT_EQ(Key("ケーコ"), "ケイコ");
  EXPECT_EQ(Key("マーヤ"), "マアヤ");
  EXPECT_EQ(Key("ミーナ"), "ミイナ");
  EXPECT_NE(Key("オーノ"), Key("オオノ"));
  EXPECT_NE(Key("ケーコ"), Key("ケエコ"));
}

TEST(KanaKeyTest, LongVowelLookalikesAreConsistent) {
  const std::string expected = Key("サトー");
  for (const char* text :
       {"サトｰ", "サト－", "サト-", "サト‐", "サト‑", "サト–", "サト—", "サト―",
        "サト─", "サト−", "サト~", "サト〜", "サト～", "ｻﾄｰ"}) {
    EXPECT_EQ(Key(text), expected) << text;
  }
  EXPECT_EQ(Key("ーア"), "ア");  // nothing to lengthen
  EXPECT_EQ(Key("ンー"), "ン");
}

TEST(KanaLooseKeyTest, VoicingRemoved) {
  EXPECT_EQ(Loose("ガ"), "カ");
  EXPECT_EQ(Loose("パ"), "ハ");
  EXPECT_EQ(Loose("バ"), "ハ");
  EXPECT_EQ(Loose("ヅ"), Loose("ス"));
  EXPECT_EQ(Loose("サイトウ"), Loose("サイドウ"));
  EXPECT_EQ(Loose("ヤマザキ"), Loose("ヤマサキ"));
  EXPECT_NE(Key("ヤマザキ"), Key("ヤマサキ"));
}

TEST(KanaLooseKeyTest, LongVowelsAgree) {
  EXPECT_EQ(Loose("オーノ"), Loose("オオノ"));
  EXPECT_EQ(Loose("オオノ"), Loose("オウノ"));
  EXPECT_EQ(Loose("ケーコ"), Loose("ケイコ"));
  EXPECT_EQ(Loose("ケイコ"), Loose("ケエコ"));
  EXPECT_EQ(Loose("サトー"), Loose("サトオ"));
  EXPECT_NE(Loose("オノ"), Loose("オオノ"));
  EXPECT_NE(Loose("カトウ"), Loose("カトイ"));
}

TEST(KanaNameTest, Errors) {
  EXPECT_EQ(NormalizeKanaName("").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizeKanaName("　 ").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizeKanaName("ー").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizeKanaName("\xE3\x82").status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::Status status = NormalizeKanaName("ヤマ田").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("U+7530"), std::string::npos) << status;
  EXPECT_FALSE(NormalizeKanaName("Yamada").ok());
}

TEST(KanaNameTest, Properties) {
  const std::vector<std::string> inputs = {
      "ﾀｶﾊｼ ｲﾁﾛｰ", "キョウコ",         "ヴァイオリン", "オーノ　ユーコ",
      "ｻｲﾄｰ",      "はっとり　じゅん", "ヂヅヲヰヱ",   "ミーナ",
      "ソーーー",  "ｳﾞｪﾙﾃﾞ",           "サヽキ"};
  for (const std::string& input : inputs) {
    absl::StatusOr<KanaName> name = NormalizeKanaName(input);
    ASSERT_TRUE(name.ok()) << input;
    EXPECT_TRUE(IsValidUtf8(name->key));
    EXPECT_TRUE(IsValidUtf8(name->loose_key));
    EXPECT_TRUE(IsValidUtf8(name->display));
    EXPECT_EQ(name->surname + name->given, name->key);
    EXPECT_EQ(Key(name->key), name->key) << input;
    EXPECT_EQ(Key(name->display), name->key) << input;
    EXPECT_EQ(Loose(name->loose_key), name->loose_key) << input;
    EXPECT_EQ(Loose(name->key), name->loose_key) << input;
  }
}

}  // namespace
}  // namespace kuromaru::normalizer
