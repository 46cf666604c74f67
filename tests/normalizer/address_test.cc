#include "normalizer/address.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "normalizer/utf8.h"

namespace kuromaru::normalizer {
namespace {

struct Case {
  std::string_view input;
  std::string_view prefecture, municipality, town, blocks, building;
};

void ExpectAddress(const Case& c) {
  absl::StatusOr<Address> a = NormalizeAddress(c.input);
  ASSERT_TRUE(a.ok()) << c.input << ": " << a.status();
  EXPECT_EQ(a->prefecture, c.prefecture) << c.input;
  EXPECT_EQ(a->municipality, c.municipality) << c.input;
  EXPECT_EQ(a->town, c.town) << c.input;
  EXPECT_EQ(a->blocks, c.blocks) << c.input;
  EXPECT_EQ(a->building, c.building) << c.input;
  EXPECT_EQ(a->key, std::string(c.prefecture) + std::string(c.municipality) +
                        std::string(c.town) + std::string(c.blocks))
      << c.input;
}

// Inputs and expected parts from the unit cases of Geolonia's
// normalize-japanese-addresses and the Digital Agency's abr-geocoder, with our
// town and block conventions (丁目 moved into the block numbers).
TEST(NormalizeAddressTest, PrefectureMunicipalityTownBlocks) {
  ExpectAddress({"大阪府高槻市奈佐原２丁目１－２", "大阪府", "高槻市", "奈佐原",
                 "2-1-2", ""});
  ExpectAddress({"東京都千代田区霞が関1-3-1", "東京都", "千代田区", "霞ケ関",
                 "1-3-1", ""});
  ExpectAddress({"神奈川県横浜市中区山下町1", "神奈川県", "横浜市中区",
                 "山下町", "1", ""});
  ExpectAddress({"大阪府大阪市北区梅田1丁目3番1号", "大阪府", "大阪市北区",
                 "梅田", "1-3-1", ""});
  ExpectAddress({"北海道虻田郡倶知安町南1条西1丁目", "北海道", "虻田郡倶知安町",
                 "南1条西", "1", ""});
  ExpectAddress({"北海道札幌市中央区北三条西３丁目１－５６マルゲンビル３Ｆ",
                 "北海道", "札幌市中央区", "北3条西", "3-1-56",
                 "マルゲンビル3F"});
  ExpectAddress(
      {"埼玉県戸田市大字新曽２２４２", "埼玉県", "戸田市", "新曽", "2242", ""});
  ExpectAddress(
      {"東京都千代田区三番町３－９", "東京都", "千代田区", "3番町", "3-9", ""});
  ExpectAddress({"東京都港区麻布十番２丁目１６－６", "東京都", "港区",
                 "麻布十番", "2-16-6", ""});
}

TEST(NormalizeAddressTest, OmittedPrefectureIsInferred) {
  ExpectAddress({"京都市北区紫野東御所田町", "京都府", "京都市北区",
                 "紫野東御所田町", "", ""});
  ExpectAddress({"鹿児島市山下町", "鹿児島県", "鹿児島市", "山下町", "", ""});
  ExpectAddress(
      {"府中市宮西町2丁目24番地", "東京都", "府中市", "宮西町", "2-24", ""});
  ExpectAddress(
      {"千葉市川市八幡1丁目1番1号", "千葉県", "市川市", "八幡", "1-1-1", ""});
  ExpectAddress(
      {"倶知安町北1条東2丁目", "北海道", "虻田郡倶知安町", "北1条東", "2", ""});
}

TEST(NormalizeAddressTest, SpacesVariantsAndOddCharacters) {
  ExpectAddress({"千葉県巿川巿巿川1丁目", "千葉県", "市川市", "市川", "1", ""});
  ExpectAddress({"京都府京都市 下京区上之町999", "京都府", "京都市下京区",
                 "上ノ町", "999", ""});
  ExpectAddress({"青森県上北郡 横浜町字三保野888", "青森県", "上北郡横浜町",
                 "三保野", "888", ""});
  ExpectAddress({"〒100-8977 東京都千代田区霞ヶ関１－１－１", "東京都",
                 "千代田区", "霞ケ関", "1-1-1", ""});
  // A space inside the prefecture's name, as inside a municipality's.
  ExpectAddress({"北海　道倶知安町北1条東2丁目", "北海道", "虻田郡倶知安町",
                 "北1条東", "2", ""});
  ExpectAddress(
      {"東京 都千代田区霞が関1", "東京都", "千代田区", "霞ケ関", "1", ""});
}

TEST(NormalizeAddressTest, KanjiNumeralsAndSeparators) {
  ExpectAddress({"大阪府高槻市奈佐原二丁目1番2号", "大阪府", "高槻市", "奈佐原",
                 "2-1-2", ""});
  ExpectAddress({"東京都足立区千住三丁目十二番地二十三号", "東京都", "足立区",
                 "千住", "3-12-23", ""});
  ExpectAddress({"串本町串本千二百三十四", "和歌山県", "東牟婁郡串本町", "串本",
                 "1234", ""});
  ExpectAddress({"東京都目黒区東山３丁目２２ー３", "東京都", "目黒区", "東山",
                 "3-22-3", ""});
  ExpectAddress({"東京都千代田区永田町1-4-1-レジデンス億万101", "東京都",
                 "千代田区", "永田町", "1-4-1", "レジデンス億万101"});
  ExpectAddress({"沖縄県那覇市小禄１丁目５番２３号１丁目マンション３０１",
                 "沖縄県", "那覇市", "小禄", "1-5-23", "1丁目マンション301"});
  ExpectAddress({"東京都千代田区三番町２番地４三番町ＫＳビル１０階", "東京都",
                 "千代田区", "3番町", "2-4", "三番町KSビル10階"});
  ExpectAddress({"東京都品川区上大崎１丁目１０－１５　２階", "東京都", "品川区",
                 "上大崎", "1-10-15", "2階"});
  ExpectAddress({"神奈川県横浜市港北区綱島西２丁目　２５－１８", "神奈川県",
                 "横浜市港北区", "綱島西", "2-25-18", ""});
  ExpectAddress({"東京都新宿区西新宿2丁目8番地の1", "東京都", "新宿区",
                 "西新宿", "2-8-1", ""});
}

TEST(NormalizeAddressTest, KatakanaLongVowelKept) {
  ExpectAddress({"東京都港区台場1-2-3 メディアセンター101", "東京都", "港区",
                 "台場", "1-2-3", "メディアセンター101"});
}

TEST(NormalizeAddressTest, EquivalentSpellingsShareAKey) {
  const std::string_view spellings[] = {
      "大阪府高槻市奈佐原2丁目1-2", "大阪府高槻市奈佐原二丁目1番2号",
      "大阪府高槻市奈佐原２－１－２", "高槻市奈佐原2-1-2 ○○マンション101号室",
      "大阪府 高槻市 奈佐原 ２丁目１番地２"};
  for (std::string_view s : spellings) {
    absl::StatusOr<Address> a = NormalizeAddress(s);
    ASSERT_TRUE(a.ok()) << s;
    EXPECT_EQ(a->key, "大阪府高槻市奈佐原2-1-2") << s;
  }
  EXPECT_EQ(NormalizeAddress("東京都千代田区霞ヶ関1")->key,
            NormalizeAddress("東京都千代田区霞が関1")->key);
  EXPECT_EQ(NormalizeAddress("東京都千代田区霞ケ関1")->key,
            NormalizeAddress("東京都千代田区霞が関1")->key);
}

TEST(NormalizeAddressTest, KeyRenormalizesToItself) {
  for (std::string_view s :
       {"大阪府高槻市奈佐原二丁目1番2号",
        "北海道札幌市中央区北三条西３丁目１－５６ビル",
        "東京都千代田区三番町２番地４", "府中市宮西町2丁目24番地",
        "どこか 不明な 住所", "東京都どこか1-2",
        "東京都港区麻布十番２丁目１６－６", "埼玉県戸田市大字新曽２２４２",
        "串本町串本千二百三十四", "青森県上北郡 横浜町字三保野888",
        "北海　道倶知安町北1条東2丁目", "東 京都どこか1",
        "東京都千丁 目２番三３号", "東京都港区三 番町2"}) {
    absl::StatusOr<Address> a = NormalizeAddress(s);
    ASSERT_TRUE(a.ok()) << s;
    EXPECT_TRUE(IsValidUtf8(a->key));
    EXPECT_TRUE(IsValidUtf8(a->building));
    absl::StatusOr<Address> again = NormalizeAddress(a->key);
    ASSERT_TRUE(again.ok()) << a->key;
    EXPECT_EQ(again->key, a->key) << s;
  }
}

TEST(NormalizeAddressTest, UnknownPartsAreBestEffort) {
  ExpectAddress({"どこか 不明な 住所", "", "", "どこか", "", "不明な 住所"});
  ExpectAddress({"東京都どこか1-2", "東京都", "", "どこか", "1-2", ""});
}

TEST(NormalizeAddressTest, Errors) {
  EXPECT_EQ(NormalizeAddress("").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(NormalizeAddress("　 ").ok());
  EXPECT_FALSE(NormalizeAddress("東京都\xff").ok());
  EXPECT_FALSE(NormalizeAddress("\xe6\x9d").ok());
}

TEST(NormalizePostalCodeTest, Forms) {
  for (std::string_view s :
       {"1000001", "100-0001", "〒100-0001", "〒１００－０００１",
        " 100ー0001 ", "100‐0001", "〒 1000001"}) {
    absl::StatusOr<std::string> p = NormalizePostalCode(s);
    ASSERT_TRUE(p.ok()) << s << ": " << p.status();
    EXPECT_EQ(*p, "1000001") << s;
    EXPECT_EQ(*NormalizePostalCode(*p), *p);
  }
}

TEST(NormalizePostalCodeTest, Errors) {
  for (std::string_view s : {"", "100001", "10000011", "1000-001", "100-00a1",
                             "〒", "100--0001", "1000001〒", "\xff"}) {
    absl::StatusOr<std::string> p = NormalizePostalCode(s);
    EXPECT_FALSE(p.ok()) << s;
    if (!p.ok()) {
      EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST(PrefectureNameTest, Codes) {
  EXPECT_EQ(PrefectureName("01"), "北海道");
  EXPECT_EQ(PrefectureName("13"), "東京都");
  EXPECT_EQ(PrefectureName("47"), "沖縄県");
  EXPECT_EQ(PrefectureName("00"), "");
  EXPECT_EQ(PrefectureName("48"), "");
  EXPECT_EQ(PrefectureName("1"), "");
  EXPECT_EQ(PrefectureName("ab"), "");
}

}  // namespace
}  // namespace kuromaru::normalizer
