// Receipts (FORMATS.md §2) written as a レセ電 file, in the layout that
// services/io/uke.h reads: the UKE twin of a receipts.jsonl.
//
//   UkeWriter writer(&out, UkeWriterOptions());
//   for (const v1::Receipt& r : receipts) RETURN_IF_ERROR(writer.Add(r));
//   RETURN_IF_ERROR(writer.Finish());
//
// Consecutive receipts of one institution share an IR … GO block; a receipt
// of another institution starts a new block, so a file of mixed receipts is
// a sequence of blocks, as when several institutions' files are joined.
// Each receipt is RE (with カタカナ氏名), HO (the 保険者番号 right-aligned in
// 8 bytes, a 6-digit 国保 number padded with spaces; left out when there is
// no insurer, 記号 or 番号), SN (with the 枝番) and, when the receipt has any
// 摘要 field (postal code, address, insurer name, employer) or bills the 不詳
// sentinel, CO records whose 摘要 starts with 「不詳」. The レセプト番号
// counts receipts per institution, so that receipt ids stay unique.
//
// Text is CP932 as UkeTextEncoder writes it: characters outside JIS X 0208
// become ●, an insurer's 外字 (U+E000–U+E757) goes to the user-defined area;
// reading the file back gives UkeTextOf() of each field. Not thread-safe.
#ifndef KUROMARU_SERVICES_GEN_UKE_WRITER_H_
#define KUROMARU_SERVICES_GEN_UKE_WRITER_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "kuromaru/v1/receipt.pb.h"
#include "services/io/uke.h"

namespace kuromaru::gen {

struct UkeWriterOptions {
  // 請求年月 in every IR record, YYYYMM. Default: "202505".
  std::string billing_month = "202505";
  // 審査支払機関 in IR: 1 支払基金, 2 国保連. Default: 1.
  int payer = 1;
};

class UkeWriter {
 public:
  UkeWriter(std::ostream* out, UkeWriterOptions options);

  // INVALID_ARGUMENT when the institution_code is not 10 digits (都道府県 2,
  // 点数表 1, コード 7) or the institution has 999,999 receipts already;
  // DATA_LOSS when the stream fails.
  absl::Status Add(const v1::Receipt& receipt);
  // Ends the last block. DATA_LOSS when the stream fails.
  absl::Status Finish();

 private:
  void Record(const std::string& bytes);
  void EndBlock();

  std::ostream* out_;
  const UkeWriterOptions options_;
  io::UkeTextEncoder encoder_;
  std::string institution_;  // of the open block; empty: none
  int64_t block_receipts_ = 0;
  absl::flat_hash_map<std::string, int64_t> numbers_;  // last per institution
};

}  // namespace kuromaru::gen

#endif  // KUROMARU_SERVICES_GEN_UKE_WRITER_H_
