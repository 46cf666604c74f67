// libFuzzer target: io::ReadDirectoryCsv on any bytes (first byte: the
// encoding and error budget). Properties: no crash; rejected rows are
// counted, lie within the file and have short reasons that quote nothing.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "base/csv.h"
#include "services/io/directory_csv.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using kuromaru::fuzz::Check;
  namespace io = kuromaru::io;
  if (size == 0) return 0;
  io::DirectoryLoadOptions options;
  options.encoding = (data[0] & 1) ? kuromaru::base::TextEncoding::kCp932
                                   : kuromaru::base::TextEncoding::kUtf8;
  options.max_errors = data[0] >> 4;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::istringstream in(text);
  io::DirectoryLoadReport report;
  auto directory = io::ReadDirectoryCsv(in, options, &report);
  int64_t lines = 1;
  for (char c : text) lines += c == '\n' || c == '\r';
  Check(report.rows_rejected >= static_cast<int64_t>(report.errors.size()),
        "every kept error is counted");
  for (const io::RowError& e : report.errors) {
    Check(e.line >= 1 && e.line <= lines, "an error's line is in the file");
    Check(!e.reason.empty() && e.reason.size() < 120,
          "an error has a short reason");
    Check(kuromaru::base::IsValidUtf8(e.reason), "a reason is valid UTF-8");
  }
  if (directory.ok()) {
    Check((*directory)->size() <=
              static_cast<size_t>(report.rows_read - report.rows_rejected),
          "the directory holds no more insurers than accepted rows");
  }
  return 0;
}
