// A small synthetic roster (FORMATS.md §1) for tests, and a matcher over it.
// Every name, birth date and member number here is made up.
//
//   const std::string csv = RosterCsv({kTakahashiTaro, kSatoHanako});
//   std::shared_ptr<const matcher::Matcher> m = MatcherOver(csv);
#ifndef KUROMARU_TESTS_SUPPORT_ROSTER_H_
#define KUROMARU_TESTS_SUPPORT_ROSTER_H_

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "kuromaru/v1/receipt.pb.h"
#include "matcher/matcher.h"

namespace kuromaru::testing {

// The header of a roster snapshot; a delta's is "op," and this.
inline constexpr char kRosterHeader[] =
    "insurer_number,symbol,number,branch,name_kanji,name_kana,birth_date,sex,"
    "qualified_from,qualified_until,postal_code,address\n";

// Rows (with their line break) of people in no real roster.
inline constexpr char kTakahashiTaro[] =
    "01130012,1234,5678,01,髙橋　太郎,タカハシ　タロウ,19750123,1,20150401,,"
    "1000001,東京都千代田区千代田1-1\n";
inline constexpr char kSatoHanako[] =
    "06130012,12,34,,佐藤　花子,サトウ　ハナコ,19800229,2,20000101,,,\n";
// Two enrollments of different persons with one name, kana, birth date and
// sex: a receipt without a member number cannot tell them apart.
inline constexpr char kSuzukiIchiroA[] =
    "06130012,11,100,,鈴木　一郎,スズキ　イチロウ,19700505,1,20000101,,,\n";
inline constexpr char kSuzukiIchiroB[] =
    "06130020,22,200,,鈴木　一郎,スズキ　イチロウ,19700505,1,20050101,,,\n";

// kRosterHeader and `rows`.
std::string RosterCsv(std::initializer_list<std::string_view> rows);

// A matcher with the default model over the roster `csv`; fails the test
// (and returns null) when it does not load.
std::shared_ptr<const matcher::Matcher> MatcherOver(
    const std::string& csv,
    const matcher::MatcherOptions& options = matcher::MatcherOptions());

// A receipt for kTakahashiTaro in April 2024, billed to his insurer.
v1::Receipt TakahashiReceipt(const std::string& receipt_id);

}  // namespace kuromaru::testing

#endif  // KUROMARU_TESTS_SUPPORT_ROSTER_H_
