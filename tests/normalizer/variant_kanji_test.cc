#include "normalizer/variant_kanji.h"

#include <string>

#include "gtest/gtest.h"

namespace kuromaru::normalizer {
namespace {

TEST(FoldVariantTest, NameVariantsFoldToTheirCommonForm) {
  EXPECT_EQ(FoldVariant(U'髙'), U'高');
  EXPECT_EQ(FoldVariant(U'\uFA11'), U'崎');  // 﨑, a unified ideograph
  EXPECT_EQ(FoldVariant(U'嵜'), U'崎');
  EXPECT_EQ(FoldVariant(U'邊'), U'辺');
  EXPECT_EQ(FoldVariant(U'邉'), U'辺');
  EXPECT_EQ(FoldVariant(U'澤'), U'沢');
  EXPECT_EQ(FoldVariant(U'濱'), U'浜');
  EXPECT_EQ(FoldVariant(U'濵'), U'浜');
  EXPECT_EQ(FoldVariant(U'\U00020BB7'), U'吉');  // 𠮷
  EXPECT_EQ(FoldVariant(U'齋'), U'斎');
  EXPECT_EQ(FoldVariant(U'齊'), U'斉');
  EXPECT_EQ(FoldVariant(U'德'), U'徳');
  EXPECT_EQ(FoldVariant(U'冨'), U'富');
  EXPECT_EQ(FoldVariant(U'廣'), U'広');
  EXPECT_EQ(FoldVariant(U'國'), U'国');
  EXPECT_EQ(FoldVariant(U'櫻'), U'桜');
  EXPECT_EQ(FoldVariant(U'眞'), U'真');
  EXPECT_EQ(FoldVariant(U'曻'), U'昇');
  EXPECT_EQ(FoldVariant(U'瀨'), U'瀬');
  EXPECT_EQ(FoldVariant(U'嶋'), U'島');
  EXPECT_EQ(FoldVariant(U'嶌'), U'島');
  EXPECT_EQ(FoldVariant(U'槗'), U'橋');
  EXPECT_EQ(FoldVariant(U'桒'), U'桑');
  EXPECT_EQ(FoldVariant(U'舘'), U'館');
  EXPECT_EQ(FoldVariant(U'栁'), U'柳');
  EXPECT_EQ(FoldVariant(U'龍'), U'竜');
  EXPECT_EQ(FoldVariant(U'黑'), U'黒');
  EXPECT_EQ(FoldVariant(U'戶'), U'戸');
  EXPECT_EQ(FoldVariant(U'靑'), U'青');
  EXPECT_EQ(FoldVariant(U'曾'), U'曽');
  EXPECT_EQ(FoldVariant(U'增'), U'増');
}

TEST(FoldVariantTest, CanonicalFormsAreFixedPoints) {
  for (char32_t c :
       std::u32string(U"高崎辺沢浜吉斎斉徳富広国桜真昇瀬島橋桑館柳竜黒")) {
    EXPECT_EQ(FoldVariant(c), c) << static_cast<uint32_t>(c);
  }
}

TEST(FoldVariantTest, DifferentCharactersStayDifferent) {
  // 斎 and 斉 are different characters, in both directions.
  EXPECT_NE(FoldVariant(U'斎'), FoldVariant(U'斉'));
  EXPECT_NE(FoldVariant(U'齋'), FoldVariant(U'齊'));
  EXPECT_NE(FoldVariant(U'齋'), FoldVariant(U'斉'));
  EXPECT_NE(FoldVariant(U'齊'), FoldVariant(U'斎'));
  // Related but distinct characters that a loose table might merge.
  EXPECT_NE(FoldVariant(U'埼'), FoldVariant(U'崎'));
  EXPECT_NE(FoldVariant(U'籐'), FoldVariant(U'藤'));
  EXPECT_NE(FoldVariant(U'佑'), FoldVariant(U'祐'));
  EXPECT_NE(FoldVariant(U'濱'), FoldVariant(U'瀕'));
  EXPECT_NE(FoldVariant(U'広'), FoldVariant(U'弘'));
}

TEST(FoldVariantTest, CompatibilityIdeographsFoldToUnifiedForm) {
  EXPECT_EQ(FoldVariant(U'\uFA10'), U'塚');
  EXPECT_EQ(FoldVariant(U'\uFA4F'), U'祐');
  EXPECT_EQ(FoldVariant(U'\uFA19'), U'神');
  EXPECT_EQ(FoldVariant(U'\U0002F800'), U'丽');
}

TEST(FoldVariantTest, LeavesEverythingElseAlone) {
  for (char32_t c : std::u32string(U"aZ09 アあー●〓山田太郎\u3000")) {
    EXPECT_EQ(FoldVariant(c), c);
  }
}

TEST(FoldVariantTest, TableIsClosedAndSizeable) {
  int entries = 0;
  for (char32_t c = 0; c <= 0x10FFFF; ++c) {
    const char32_t folded = FoldVariant(c);
    if (folded == c) continue;
    ++entries;
    EXPECT_EQ(FoldVariant(folded), folded)
        << "U+" << std::hex << static_cast<uint32_t>(c) << " maps further";
  }
  // Curated pairs plus Unihan, compatibility ideographs and radicals.
  EXPECT_GT(entries, 1500);
}

TEST(FoldVariantsTest, FoldsEveryCodePoint) {
  EXPECT_EQ(FoldVariants("髙﨑　邉"), "高崎　辺");
  EXPECT_EQ(FoldVariants("齋藤 齊藤"), "斎藤 斉藤");
  EXPECT_EQ(FoldVariants("𠮷田"), "吉田");
  EXPECT_EQ(FoldVariants("abc"), "abc");
  EXPECT_EQ(FoldVariants(""), "");
}

TEST(FoldVariantsTest, PassesInvalidBytesThrough) {
  const std::string bad = "髙\xFF\xC3";
  EXPECT_EQ(FoldVariants(bad), "高\xFF\xC3");
}

TEST(IsJisX0208Test, Kanji) {
  EXPECT_TRUE(IsJisX0208(U'高'));
  EXPECT_TRUE(IsJisX0208(U'崎'));
  EXPECT_TRUE(IsJisX0208(U'辺'));
  EXPECT_TRUE(IsJisX0208(U'邉'));
  EXPECT_FALSE(IsJisX0208(U'髙'));          // CP932 IBM extension
  EXPECT_FALSE(IsJisX0208(U'\uFA11'));      // 﨑
  EXPECT_FALSE(IsJisX0208(U'\U00020BB7'));  // 𠮷
  EXPECT_FALSE(IsJisX0208(U'\u4E02'));      // not in JIS
}

TEST(IsJisX0208Test, NonKanjiRows) {
  for (char32_t c :
       std::u32string(U"ぁあんァアヶー●〓■？・　ＡＺａ０９αΩБя─┼〜")) {
    EXPECT_TRUE(IsJisX0208(c)) << "U+" << std::hex << static_cast<uint32_t>(c);
  }
  for (char32_t c : std::u32string(U"aA0 ｱ①㈱\uE000\uFFFD")) {
    EXPECT_FALSE(IsJisX0208(c)) << "U+" << std::hex << static_cast<uint32_t>(c);
  }
  EXPECT_FALSE(IsJisX0208(0x110000));
}

TEST(IsJisX0208Test, CountsTheStandard) {
  int kanji = 0;
  int all = 0;
  for (char32_t c = 0; c < 0x30000; ++c) {
    if (!IsJisX0208(c)) continue;
    ++all;
    if (c >= 0x4E00 && c <= 0x9FFF) ++kanji;
  }
  EXPECT_EQ(kanji, 6356);
  // 6,879 graphic characters in JIS X 0208:1997.
  EXPECT_EQ(all, 6879);
}

}  // namespace
}  // namespace kuromaru::normalizer
