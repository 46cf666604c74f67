// レセ電 receipt files (RECEIPTC.UKE) in, receipts (FORMATS.md §2) out.
//
//   ASSIGN_OR_RETURN(UkeFile file, ReadUkeFile("RECEIPTC.UKE"));
//   for (const UkeReceipt& r : file.receipts) { ... r.receipt ... }
//   for (const UkeError& e : file.errors) { ... e.line, e.reason ... }
//
// The layout followed is the older 医科 記録条件仕様 as docs/REMATCH.md
// describes it: CSV without quoting, CP932, one record per CRLF line (a bare
// LF is accepted too), and these records (fields 1-based):
//
//   IR  10 fields: 3 都道府県 (2) · 4 点数表 (1) · 5 医療機関コード (7) ·
//       8 請求年月 (YYYYMM, or 和暦 GYYMM). Starts an institution's block.
//   RE  38 fields: 2 レセプト番号 (digits, at most 6) · 4 診療年月 · 5 氏名 ·
//       6 男女区分 · 7 生年月日 (YYYYMMDD or 和暦 GYYMMDD) · 37 カタカナ氏名.
//       Starts a receipt.
//   HO  at least 5 fields: 2 保険者番号 (8 bytes; a 6-digit 国保 number may
//       be padded with leading spaces) · 3 記号 · 4 番号.
//   KO  at least 3 fields: 2 公費負担者番号 (8 digits) · 3 受給者番号;
//       checked, not carried (a Receipt has no 公費 field).
//   SN  at least 7 fields: 7 枝番 (2 digits or empty).
//   CO  at least 5 fields: 5 文字データ, the 摘要. A 不詳 receipt's 摘要 starts
//       with 「不詳」 and holds labelled items, in that record or the CO
//       records after it: カナ氏名：… 保険者等名称：… 事業所名：… 郵便番号：…
//       住所：… (保険種別, 連絡先 and 確認日 are read past).
//   GO  ends the block. Several IR … GO blocks may follow each other.
//   SY SI IY TO JD MF SJ TI NI GR TS RC KH SK TR GT: the clinical records of a
//       receipt, skipped.
//
// Each RE group becomes one receipt with the stable receipt_id
// "<医療機関コード (都道府県+点数表+コード, 10 digits)>-<請求年月 YYYYMM>-
// <レセプト番号, 6 digits>", institution_code set, and the fields of §2.
// Double-byte characters outside JIS X 0208 (NEC and IBM extensions) and
// user-defined-area bytes (F040–F9FC, 外字) become ●, as the national
// system shows them.
//
// A file the reader does not understand is rejected whole (INVALID_ARGUMENT
// naming the line): no IR first, an IR or RE of another field count (another
// spec year's layout), an unknown record type, a file cut short (its last
// record without a line break, or its last block without a GO: the message
// says it looks truncated). A receipt with a malformed record is left out
// and listed in `errors` with the line; reading goes on with the next
// receipt. Bytes CP932 does not define are such a fault when they are in a
// field the reader uses (the receipt is left out, the error names the
// record and the field); in the fields it skips, and in the clinical
// records, they are not looked at. Error texts never carry field values.
//
// Thread-safe: the functions share no state.
#ifndef KUROMARU_SERVICES_IO_UKE_H_
#define KUROMARU_SERVICES_IO_UKE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kuromaru/v1/receipt.pb.h"

namespace kuromaru::io {

struct UkeReceipt {
  int64_t line = 0;  // of its RE record
  v1::Receipt receipt;
};

struct UkeError {
  int64_t line = 0;
  std::string reason;
};

struct UkeFile {
  std::vector<UkeReceipt> receipts;  // in file order
  std::vector<UkeError> errors;      // receipts left out, in file order
  int64_t records = 0;
};

// Parses a whole file's bytes.
absl::StatusOr<UkeFile> ParseUke(std::string_view bytes);

// Reads and parses the file at `path`; NOT_FOUND when it cannot be read.
absl::StatusOr<UkeFile> ReadUkeFile(const std::string& path);

// UTF-8 text as one UKE field in CP932: characters of JIS X 0208, ASCII and
// half-width katakana as themselves; private-use U+E000–U+E757 (an insurer's
// 外字) in the user-defined area F040–F9FC, as clinic software writes them;
// anything else as ● (0x819C), the national system's substitution. The
// separators a field cannot hold (',' CR LF) become '，' and spaces.
// Not thread-safe: one per thread.
class UkeTextEncoder {
 public:
  UkeTextEncoder();
  ~UkeTextEncoder();
  UkeTextEncoder(const UkeTextEncoder&) = delete;
  UkeTextEncoder& operator=(const UkeTextEncoder&) = delete;

  std::string Encode(std::string_view utf8);

 private:
  struct Converter;
  std::unique_ptr<Converter> converter_;
};

// CP932 bytes of one field as UTF-8, with the wildcards described above.
// INVALID_ARGUMENT for bytes that are not CP932.
absl::StatusOr<std::string> DecodeUkeText(std::string_view cp932);

// `utf8` as it reads back from a UKE file: DecodeUkeText(Encode(utf8)).
std::string UkeTextOf(std::string_view utf8);

}  // namespace kuromaru::io

#endif  // KUROMARU_SERVICES_IO_UKE_H_
