#include "services/gen/uke_writer.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kuromaru::gen {
namespace {

bool IsInstitutionCode(const std::string& code) {
  if (code.size() != 10) return false;
  for (char c : code) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsSentinel(const std::string& insurer) {
  return insurer == "77777777" || insurer == "77777779";
}

}  // namespace

UkeWriter::UkeWriter(std::ostream* out, UkeWriterOptions options)
    : out_(out), options_(std::move(options)) {}

void UkeWriter::Record(const std::string& bytes) {
  out_->write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out_->write("\r\n", 2);
}

void UkeWriter::EndBlock() {
  if (institution_.empty()) return;
  // 総件数, 総合計点数 (100 per receipt, as in HO), マルチボリューム 99.
  Record(
      absl::StrCat("GO,", block_receipts_, ",", block_receipts_ * 100, ",99"));
  institution_.clear();
  block_receipts_ = 0;
}

absl::Status UkeWriter::Add(const v1::Receipt& r) {
  const std::string& code = r.institution_code();
  if (!IsInstitutionCode(code)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "receipt ", r.receipt_id(), ": institution_code is not 10 digits"));
  }
  const int64_t number = ++numbers_[code];
  if (number > 999999) {
    return absl::InvalidArgumentError(
        "more than 999,999 receipts of one institution");
  }
  if (code != institution_) {
    EndBlock();
    institution_ = code;
    // IR: 審査支払機関, 都道府県, 点数表, 医療機関コード, 予備, 名称, 請求年月,
    // マルチボリューム識別, 電話番号.
    Record(absl::StrCat("IR,", options_.payer, ",", code.substr(0, 2), ",",
                        code.substr(2, 1), ",", code.substr(3), ",,",
                        encoder_.Encode("合成医療機関"), ",",
                        options_.billing_month, ",00,"));
  }
  ++block_receipts_;
  // RE: 38 fields; レセプト種別 1112 (医科・医保単独・本人・入院外).
  std::string re = absl::StrCat(
      "RE,", number, ",1112,", encoder_.Encode(r.service_month()), ",",
      encoder_.Encode(r.name_kanji()), ",", encoder_.Encode(r.sex()), ",",
      encoder_.Encode(r.birth_date()));
  for (int field = 8; field <= 36; ++field) re += ',';
  absl::StrAppend(&re, ",", encoder_.Encode(r.name_kana()), ",");
  Record(re);
  if (!r.insurer_number().empty() || !r.symbol().empty() ||
      !r.number().empty()) {
    // HO: 保険者番号 right-aligned in 8 bytes, 記号, 番号, 診療実日数,
    // 合計点数, 予備.
    Record(absl::StrFormat(
        "HO,%8s,%s,%s,1,100,", encoder_.Encode(r.insurer_number()),
        encoder_.Encode(r.symbol()), encoder_.Encode(r.number())));
  }
  // SN: 負担者種別 1 (保険者), 確認区分 01, 保険者番号等, 記号, 番号, 枝番,
  // 受給者番号, 予備.
  Record(absl::StrCat("SN,1,01,", encoder_.Encode(r.insurer_number()), ",",
                      encoder_.Encode(r.symbol()), ",",
                      encoder_.Encode(r.number()), ",",
                      encoder_.Encode(r.branch()), ",,"));
  if (IsSentinel(r.insurer_number()) || !r.postal_code().empty() ||
      !r.address().empty() || !r.insurer_name().empty() ||
      !r.employer().empty()) {
    // CO: 診療識別 80, 負担区分 1, コメントコード 810000001 (フリーコメント).
    const std::string co = "CO,80,1,810000001,";
    Record(co + encoder_.Encode("不詳"));
    Record(co + encoder_.Encode("カナ氏名：" + r.name_kana()));
    Record(co + encoder_.Encode("保険者等名称：" + r.insurer_name()));
    Record(co + encoder_.Encode("事業所名：" + r.employer()));
    Record(co + encoder_.Encode("郵便番号：" + r.postal_code()));
    Record(co + encoder_.Encode("住所：" + r.address()));
  }
  if (!*out_) return absl::DataLossError("cannot write the UKE file");
  return absl::OkStatus();
}

absl::Status UkeWriter::Finish() {
  EndBlock();
  out_->flush();
  if (!*out_) return absl::DataLossError("cannot write the UKE file");
  return absl::OkStatus();
}

}  // namespace kuromaru::gen
