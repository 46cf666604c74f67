// The public data the generator draws names and addresses from, read at run
// time from Debian packages:
//   mecab-ipadic  Noun.name.csv   surnames (姓) and given names (名) with
//                                 readings; Noun.place.csv place names (for
//                                 company names)
//   skkdic-extra  SKK-JISYO.zipcode  postal code → address
// All three are EUC-JP; lines that do not decode cleanly are skipped.
//
// Surname frequencies: the 30 most common surnames carry their approximate
// national shares (佐藤 ≈1.9%, 鈴木 ≈1.8%, 高橋 ≈1.5% … ≈25% together);
// the other mecab surnames share the rest with Zipf weights 1/(rank+20),
// ranked by mecab's word cost (lower cost: more frequent in its corpus).
// Given names: Zipf weights 1/(rank+50) by cost, split by sex with
// GuessGivenNameSex.
#ifndef KUROMARU_SERVICES_GEN_SOURCES_H_
#define KUROMARU_SERVICES_GEN_SOURCES_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kuromaru::gen {

struct SourcePaths {
  // Default: Debian's mecab-ipadic.
  std::string names = "/usr/share/mecab/dic/ipadic/Noun.name.csv";
  std::string places = "/usr/share/mecab/dic/ipadic/Noun.place.csv";
  // Default: Debian's skkdic-extra.
  std::string zipcode = "/usr/share/skk/SKK-JISYO.zipcode";
};

struct NameEntry {
  std::string kanji;  // e.g. 高橋
  std::string kana;   // full-width katakana reading, e.g. タカハシ
};

struct AddressEntry {
  std::string postal_code;      // 7 digits
  std::string text;             // 東京都千代田区千代田
  std::string prefecture_code;  // "13"
  std::string prefecture;       // 東京都
  // The 国民健康保険 insurer's municipality: a designated city without its
  // ward (横浜市), a Tokyo ward, a town without its 郡 (倶知安町).
  std::string kokuho_municipality;
};

struct Sources {
  std::vector<NameEntry> surnames;
  std::vector<double> surname_cumulative;
  std::vector<NameEntry> male_given;
  std::vector<double> male_cumulative;
  std::vector<NameEntry> female_given;
  std::vector<double> female_cumulative;
  std::vector<std::string> places;  // 2–3 kanji place names
  std::vector<AddressEntry> addresses;
};

// Reads and indexes the three files. Returns NotFound naming a missing file
// (and the Debian package that provides it), DataLoss if a file yields no
// usable entry.
absl::StatusOr<std::unique_ptr<const Sources>> LoadSources(
    const SourcePaths& paths);

enum class NameSex { kMale, kFemale, kEither };

// mecab does not tag given names by sex; the reading's ending decides:
// ロウ/スケ/ヒロ/ヒコ/ヘイ/ゾウ/イチ → male, then
// コ/ミ/エ/ナ/カ/リ/ヨ/ネ/ホ/ハ/ノ/サ → female, then
// タ/ヤ/キ/オ/ジ/ト/ゴ/シ/ム/ン/ル → male; anything else kEither (the
// loader then assigns it to one sex by a hash of the name).
NameSex GuessGivenNameSex(std::string_view kana);

}  // namespace kuromaru::gen

#endif  // KUROMARU_SERVICES_GEN_SOURCES_H_
