#include "normalizer/insurer_name.h"

#include <string>

#include "gtest/gtest.h"

namespace kuromaru::normalizer {
namespace {

std::string Key(std::string_view text) {
  auto folded = FoldInsurerName(text);
  EXPECT_TRUE(folded.ok()) << folded.status();
  return folded.ok() ? folded->key : "";
}

std::string Employer(std::string_view text) {
  auto folded = FoldEmployerName(text);
  EXPECT_TRUE(folded.ok()) << folded.status();
  return folded.ok() ? *folded : "";
}

TEST(InsurerNameTest, WidthIsFolded) {
  EXPECT_EQ(Employer("ＡＢＣ商事"), "ABC商事");
  EXPECT_EQ(Employer("abc商事"), "ABC商事");
  EXPECT_EQ(Employer("ｻﾝﾜｻｰﾋﾞｽ"), "サンワサービス");
  EXPECT_EQ(Key("協会ｹﾝﾎﾟ東京"), "協会けんぽ東京");
}

TEST(InsurerNameTest, VariantKanjiAreFolded) {
  EXPECT_EQ(Employer("髙橋建設"), Employer("高橋建設"));
  EXPECT_EQ(Key("山﨑製作所健保"), Key("山崎製作所健康保険組合"));
}

TEST(InsurerNameTest, SpacesAndPunctuationAreRemoved) {
  EXPECT_EQ(Key("横浜市　国民健康保険"), Key("横浜市国民健康保険"));
  EXPECT_EQ(Employer("東和・電機"), "東和電機");
  EXPECT_EQ(Employer("「東和 電機」"), "東和電機");
  // The long vowel mark spells kana words and stays.
  EXPECT_EQ(Employer("サービス"), "サービス");
}

TEST(InsurerNameTest, LegalFormsAreRemovedWhereverTheyStand) {
  const std::string expected = "東和電機";
  for (const char* text :
       {"株式会社東和電機", "東和電機株式会社", "㈱東和電機", "東和電機㈱",
        "（株）東和電機", "(株)東和電機", "東和電機（株）", "東和電機 (株)",
        "株式会社 東和電機", "東和電機"}) {
    EXPECT_EQ(Employer(text), expected) << text;
  }
  EXPECT_EQ(Employer("有限会社豊橋商事"), "豊橋商事");
  EXPECT_EQ(Employer("豊橋商事㈲"), "豊橋商事");
  EXPECT_EQ(Employer("合同会社豊橋商事"), "豊橋商事");
  EXPECT_EQ(Employer("医療法人社団 豊橋会"), "豊橋会");
}

TEST(InsurerNameTest, LegalFormAloneIsNoName) {
  EXPECT_FALSE(FoldEmployerName("株式会社").ok());
  EXPECT_FALSE(FoldEmployerName("　").ok());
  EXPECT_FALSE(FoldInsurerName("").ok());
  EXPECT_FALSE(FoldInsurerName("\xFF").ok());
}

TEST(InsurerNameTest, PrefectureLosesItsSuffix) {
  EXPECT_EQ(Key("協会けんぽ東京都"), Key("協会けんぽ東京"));
  EXPECT_EQ(Key("大阪府後期高齢者医療広域連合"), "大阪後期高齢");
  EXPECT_EQ(Key("北海道後期高齢者医療広域連合"), "北海道後期高齢");
  // 府中 is no prefecture.
  EXPECT_EQ(Key("府中市国保"), "府中市国保");
}

TEST(InsurerNameTest, KyokaiSpellingsAgree) {
  const std::string expected = Key("全国健康保険協会東京支部");
  EXPECT_EQ(expected, "協会けんぽ東京");
  for (const char* text : {"協会けんぽ東京", "協会けんぽ東京支部",
                           "協会健保東京", "全国健康保険協会 東京都支部"}) {
    EXPECT_EQ(Key(text), expected) << text;
  }
  auto k = FoldInsurerName("協会けんぽ");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->scheme, InsurerScheme::kKyokai);
  EXPECT_EQ(k->core, "");
}

TEST(InsurerNameTest, KokuhoSpellingsAgree) {
  EXPECT_EQ(Key("横浜市国保"), Key("横浜市 国民健康保険"));
  auto a = FoldInsurerName("横浜市国保");
  auto b = FoldInsurerName("横浜国保");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->scheme, InsurerScheme::kKokuho);
  EXPECT_EQ(a->core, "横浜");
  EXPECT_EQ(b->core, "横浜");
  // Too short to lose its suffix.
  auto c = FoldInsurerName("津市国保");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->core, "津市");
}

TEST(InsurerNameTest, KumiaiSpellingsAgree) {
  const std::string expected = Key("東和電機健康保険組合");
  EXPECT_EQ(expected, "東和電機健保");
  EXPECT_EQ(Key("東和電機健保組合"), expected);
  EXPECT_EQ(Key("東和電機健保"), expected);
  EXPECT_EQ(Key("東和電機健康保険"), expected);
  auto k = FoldInsurerName("東和電機株式会社健康保険組合");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->key, expected);
  EXPECT_EQ(k->scheme, InsurerScheme::kKumiai);
  EXPECT_EQ(k->core, "東和電機");
}

TEST(InsurerNameTest, KyosaiAndKoukiSpellingsAgree) {
  EXPECT_EQ(Key("警察共済組合東京支部"), Key("警察共済東京"));
  auto k = FoldInsurerName("公立学校共済組合");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->scheme, InsurerScheme::kKyosai);
  EXPECT_EQ(k->core, "公立学校");
  EXPECT_EQ(Key("東京都後期高齢者医療広域連合"), Key("東京後期高齢者医療"));
  auto kouki = FoldInsurerName("後期高齢者医療");
  ASSERT_TRUE(kouki.ok());
  EXPECT_EQ(kouki->scheme, InsurerScheme::kKouki);
  EXPECT_EQ(kouki->core, "");
}

TEST(InsurerNameTest, NameWithoutSchemeWordIsItsOwnCore) {
  auto k = FoldInsurerName("東和電機");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->scheme, InsurerScheme::kUnknown);
  EXPECT_EQ(k->core, "東和電機");
  EXPECT_EQ(Key("社会保険"), "社保");
}

TEST(InsurerNameTest, SchemeOfNumber) {
  EXPECT_EQ(SchemeOfInsurerNumber("01130012"), InsurerScheme::kKyokai);
  EXPECT_EQ(SchemeOfInsurerNumber("06130014"), InsurerScheme::kKumiai);
  EXPECT_EQ(SchemeOfInsurerNumber("32130019"), InsurerScheme::kKyosai);
  EXPECT_EQ(SchemeOfInsurerNumber("39131011"), InsurerScheme::kKouki);
  EXPECT_EQ(SchemeOfInsurerNumber("138016"), InsurerScheme::kKokuho);
  EXPECT_EQ(SchemeOfInsurerNumber("63130012"), InsurerScheme::kUnknown);
  EXPECT_EQ(SchemeOfInsurerNumber("1380"), InsurerScheme::kUnknown);
  EXPECT_EQ(SchemeOfInsurerNumber("13801a"), InsurerScheme::kUnknown);
  EXPECT_EQ(InsurerSchemeName(InsurerScheme::kKokuho), "KOKUHO");
}

TEST(InsurerNameTest, Similarity) {
  EXPECT_EQ(NameKeySimilarity("東和電機", "東和電機"), 1.0);
  EXPECT_EQ(NameKeySimilarity("", "東和電機"), 0.0);
  EXPECT_GT(NameKeySimilarity("東和電機", "東和電気"), 0.85);
  EXPECT_LT(NameKeySimilarity("東和電機", "豊橋商事"), 0.5);
  EXPECT_GT(NameKeySimilarity("横浜", "横浜市"),
            NameKeySimilarity("横浜", "川崎市"));
}

}  // namespace
}  // namespace kuromaru::normalizer
