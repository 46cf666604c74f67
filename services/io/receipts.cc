#include "services/io/receipts.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "normalizer/text.h"
#include "normalizer/utf8.h"
#include "services/io/proto_json.h"

namespace kuromaru::io {
namespace {

bool Blank(const std::string& s) { return normalizer::TrimSpaces(s).empty(); }

}  // namespace

std::vector<FieldViolation> ValidateReceipt(const v1::Receipt& receipt,
                                            const std::string& prefix) {
  std::vector<FieldViolation> violations;
  const google::protobuf::Descriptor* descriptor = receipt.GetDescriptor();
  const google::protobuf::Reflection* reflection = receipt.GetReflection();
  bool utf8_ok = true;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    const std::string value = reflection->GetString(receipt, field);
    if (!normalizer::IsValidUtf8(value)) {
      violations.push_back({prefix + field->name(), "is not valid UTF-8"});
      utf8_ok = false;
    } else if (value.size() > kMaxReceiptFieldBytes) {
      violations.push_back(
          {prefix + field->name(),
           absl::StrCat("is longer than ", kMaxReceiptFieldBytes, " bytes")});
    }
  }
  if (!utf8_ok) return violations;
  if (Blank(receipt.receipt_id())) {
    violations.push_back({prefix + "receipt_id", "is required"});
  }
  if (Blank(receipt.name_kanji()) && Blank(receipt.name_kana())) {
    violations.push_back(
        {prefix + "name_kanji",
         "a name is required, in kanji (name_kanji) or kana (name_kana)"});
  }
  if (Blank(receipt.birth_date())) {
    violations.push_back({prefix + "birth_date", "is required"});
  }
  return violations;
}

std::string DescribeViolations(const std::vector<FieldViolation>& violations) {
  std::vector<std::string> parts;
  parts.reserve(violations.size());
  for (const FieldViolation& v : violations) {
    parts.push_back(absl::StrCat(v.field, ": ", v.description));
  }
  return absl::StrJoin(parts, "; ");
}

absl::Status ReadReceiptsJsonl(
    std::istream& in,
    const std::function<bool(int64_t, v1::Receipt&)>& on_receipt,
    const std::function<bool(int64_t, const std::string&)>& on_error) {
  std::string line;
  v1::Receipt receipt;
  int64_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (Blank(line)) continue;
    if (!normalizer::IsValidUtf8(line)) {
      if (!on_error(line_number, "invalid UTF-8")) return absl::OkStatus();
      continue;
    }
    if (absl::Status s = FromJson(line, &receipt); !s.ok()) {
      if (!on_error(line_number, std::string(s.message())))
        return absl::OkStatus();
      continue;
    }
    if (!on_receipt(line_number, receipt)) return absl::OkStatus();
  }
  if (in.bad()) return absl::DataLossError("read error on the receipts stream");
  return absl::OkStatus();
}

}  // namespace kuromaru::io
