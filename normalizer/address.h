// Japanese postal addresses and postal codes, folded into comparison keys.
//
//   absl::StatusOr<Address> a =
//       NormalizeAddress("大阪府高槻市奈佐原２丁目１－２");
//   // prefecture "大阪府", municipality "高槻市", town "奈佐原",
//   // blocks "2-1-2", key "大阪府高槻市奈佐原2-1-2"
//
// The text is NFKC-normalized and its variant kanji folded (巿 → 市 too).
// The prefecture is one of the 47 names (or, failing that, the name
// without 都/府/県). The municipality is the longest name that follows,
// among those Japan Post lists (built from skkdic-extra's
// SKK-JISYO.zipcode); 郡 and a designated city's ward are part of it
// (虻田郡倶知安町, 横浜市中区; Tokyo's special wards stand alone:
// 千代田区), and the 郡 may be omitted in the text. An omitted
// prefecture is inferred from the municipality; a name shared by several
// prefectures (府中市) goes to the one with the most postal codes.
//
// The rest splits into town (町・字), block numbers and building:
//  - The block numbers start at the first number in ASCII digits, or in
//    kanji numerals followed by 丁目, 番地, 番, 号, a dash, a space or
//    the end of the text. They are numbers joined by 丁目, 番地, 番, 号,
//    の or dashes, and end after 号 or at anything else. 丁目 counts as
//    the first number: 奈佐原二丁目1番2号, 奈佐原2丁目1-2 and
//    奈佐原２－１－２ all give town 奈佐原, blocks 2-1-2 (Sakai's 2丁
//    likewise).
//  - Numbers followed by 条, 線, 地割, 番町 or 番丁 belong to the town
//    and are written in digits there (北3条西, 第2地割, 3番町); so does a
//    kanji 番 followed by 丁目 or by ASCII digits (麻布十番2丁目).
//  - A leading postal code is skipped; 〒, 大字 and 字 are dropped. The
//    town folds ヶ/ヵ/が to ケ and の/之 to ノ (霞ヶ関 ≡ 霞が関 ≡ 霞ケ関)
//    and loses its spaces.
//  - The building (and room) is what follows the block numbers; with no
//    block numbers, what follows the first space after the town.
// Only the key is meant for comparison; re-normalizing a key gives the
// same key.
//
// All functions are pure and thread-safe; the municipality index is built
// once, on first use.
#ifndef KUROMARU_NORMALIZER_ADDRESS_H_
#define KUROMARU_NORMALIZER_ADDRESS_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kuromaru::normalizer {

struct Address {
  std::string prefecture;  // 東京都; empty if not recognised
  std::string municipality;  // 千代田区, 横浜市中区, 虻田郡倶知安町; empty if
                             // not recognised
  std::string town;      // folded as described above
  std::string blocks;    // "N-N-N", as many numbers as present; may be empty
  std::string building;  // as written (NFKC), outside the key
  std::string key;       // prefecture + municipality + town + blocks
};

// Normalizes a free-text address, best effort. Returns InvalidArgument for
// invalid UTF-8 or text that is empty after trimming spaces.
absl::StatusOr<Address> NormalizeAddress(std::string_view text);

// The 7 ASCII digits of a postal code written with an optional 〒, hyphen or
// dash lookalikes, spaces and full-width digits ("〒１００－０００１" →
// "1000001"). Returns InvalidArgument for anything else.
absl::StatusOr<std::string> NormalizePostalCode(std::string_view text);

// Name of a prefecture code "01".."47" (JIS X 0401 order: 01 北海道 … 47
// 沖縄県); empty otherwise.
std::string_view PrefectureName(std::string_view code);

}  // namespace kuromaru::normalizer

#endif  // KUROMARU_NORMALIZER_ADDRESS_H_
