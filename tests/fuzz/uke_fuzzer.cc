// libFuzzer target: io::ParseUke (レセ電 files, CP932) on any bytes.
// Properties: no crash; every receipt read has valid UTF-8 fields and a
// receipt_id; receipts and errors come in file order with lines within the
// file; an error's reason quotes nothing (short, valid UTF-8).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/csv.h"
#include "services/io/uke.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using kuromaru::fuzz::Check;
  namespace io = kuromaru::io;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto file = io::ParseUke(bytes);
  int64_t lines = 1;
  for (char c : bytes) lines += c == '\n';
  if (!file.ok()) {
    Check(kuromaru::base::IsValidUtf8(std::string(file.status().message())),
          "a refusal is valid UTF-8");
    return 0;
  }
  int64_t last = 0;
  for (const io::UkeReceipt& r : file->receipts) {
    Check(r.line > last && r.line <= lines, "receipts in file order");
    last = r.line;
    Check(!r.receipt.receipt_id().empty(), "a receipt has an id");
    const auto* d = r.receipt.GetDescriptor();
    const auto* reflection = r.receipt.GetReflection();
    for (int i = 0; i < d->field_count(); ++i) {
      Check(kuromaru::base::IsValidUtf8(
                reflection->GetString(r.receipt, d->field(i))),
            "receipt fields are valid UTF-8");
    }
  }
  last = 0;
  for (const io::UkeError& e : file->errors) {
    Check(e.line >= last && e.line <= lines, "errors in file order");
    last = e.line;
    Check(!e.reason.empty() && e.reason.size() < 160,
          "an error has a short reason");
    Check(kuromaru::base::IsValidUtf8(e.reason), "a reason is valid UTF-8");
  }
  return 0;
}
