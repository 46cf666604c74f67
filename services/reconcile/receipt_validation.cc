#include "services/reconcile/receipt_validation.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "normalizer/text.h"
#include "normalizer/utf8.h"

namespace kuromaru::reconcile {
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

}  // namespace kuromaru::reconcile
