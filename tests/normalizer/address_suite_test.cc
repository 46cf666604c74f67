// Measures NormalizeAddress on Geolonia's normalize-japanese-addresses suite
// (MIT), kept beside the checkout (shared/testdata/geolonia-addresses.csv),
// never copied here.
//
// Columns: 住所, 都道府県, 市区町村, 町字 (丁目 in kanji numerals), 番地号,
// その他, … A row's block numbers are recovered when our blocks equal its
// numbers with the 丁目 number of 町字 in front (奈佐原二丁目 + 1-2 → 2-1-2;
// Sakai's 二丁 likewise). Its numbers are 番地号, or, when that is empty,
// その他 if it is only numbers and hyphens (Geolonia puts numbers it could not
// match against its block database there).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/csv.h"
#include "gtest/gtest.h"
#include "normalizer/address.h"
#include "re2/re2.h"

namespace kuromaru::normalizer {
namespace {

int KanjiNumber(const std::string& kanji) {
  static const std::vector<std::string> kDigits = {
      "〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
  int total = 0, current = 0;
  for (size_t i = 0; i < kanji.size(); i += 3) {
    const std::string c = kanji.substr(i, 3);
    if (c == "十") {
      total += (current == 0 ? 1 : current) * 10;
      current = 0;
      continue;
    }
    for (int d = 0; d < 10; ++d) {
      if (kDigits[d] == c) current = current * 10 + d;
    }
  }
  return total + current;
}

// The block numbers the suite expects, 丁目 first.
std::string ExpectedBlocks(const std::string& town, const std::string& numbers,
                           const std::string& other) {
  static const RE2 kChome("(.*?)([〇一二三四五六七八九十]+)丁目?");
  static const RE2 kNumbers("[0-9]+(-[0-9]+)*");
  std::vector<std::string> parts;
  std::string prefix, chome;
  if (RE2::FullMatch(town, kChome, &prefix, &chome)) {
    parts.push_back(absl::StrCat(KanjiNumber(chome)));
  }
  if (!numbers.empty()) {
    parts.push_back(numbers);
  } else if (RE2::FullMatch(other, kNumbers)) {
    parts.push_back(other);
  }
  return absl::StrJoin(parts, "-");
}

// Built only when CMake found the suite (KUROMARU_ADDRESS_SUITE, which
// configure reports); once configured, a missing file fails the test.
#ifdef KUROMARU_ADDRESS_SUITE
TEST(AddressSuiteTest, GeoloniaSuite) {
  const std::string path = KUROMARU_ADDRESS_SUITE;
  std::ifstream in(path);
  ASSERT_TRUE(in) << "the address suite configured at " << path
                  << " cannot be read";
  const bool verbose = std::getenv("KUROMARU_ADDRESS_SUITE_VERBOSE") != nullptr;
  base::CsvReader reader(in);
  base::CsvRecord record;
  ASSERT_TRUE(reader.Next(&record)) << "no header";
  int rows = 0, prefectures = 0, municipalities = 0, blocks = 0;
  while (reader.Next(&record)) {
    const std::vector<std::string> f(record.fields.begin(),
                                     record.fields.end());
    if (f.size() < 6) continue;
    ++rows;
    absl::StatusOr<Address> a = NormalizeAddress(f[0]);
    ASSERT_TRUE(a.ok()) << f[0] << ": " << a.status();
    const std::string expected_blocks = ExpectedBlocks(f[3], f[4], f[5]);
    const bool pref_ok = a->prefecture == f[1];
    const bool muni_ok = a->municipality == f[2];
    const bool blocks_ok = a->blocks == expected_blocks;
    prefectures += pref_ok;
    municipalities += muni_ok;
    blocks += blocks_ok;
    if (verbose && !(pref_ok && muni_ok && blocks_ok)) {
      std::printf(
          "%s\n  got  %s | %s | %s | %s | %s\n  want %s | %s | %s | %s\n",
          f[0].c_str(), a->prefecture.c_str(), a->municipality.c_str(),
          a->town.c_str(), a->blocks.c_str(), a->building.c_str(), f[1].c_str(),
          f[2].c_str(), f[3].c_str(), expected_blocks.c_str());
    }
  }
  ASSERT_GT(rows, 0);
  const double pref_share = 100.0 * prefectures / rows;
  const double muni_share = 100.0 * municipalities / rows;
  const double block_share = 100.0 * blocks / rows;
  std::printf(
      "address suite: %d rows; prefecture %.2f%%, municipality %.2f%%, "
      "block numbers %.2f%%\n",
      rows, pref_share, muni_share, block_share);
  EXPECT_GE(pref_share, 95.0);
  EXPECT_GE(muni_share, 95.0);
  EXPECT_GE(block_share, 95.0);
}
#endif  // KUROMARU_ADDRESS_SUITE

}  // namespace
}  // namespace kuromaru::normalizer
