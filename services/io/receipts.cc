#include "services/io/receipts.h"

#include "normalizer/text.h"
#include "normalizer/utf8.h"
#include "services/io/proto_json.h"

namespace kuromaru::io {
namespace {

bool Blank(const std::string& s) { return normalizer::TrimSpaces(s).empty(); }

}  // namespace

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
