// libFuzzer target: io::ReadRosterCsv and io::ReadRosterDeltaCsv on any
// bytes. The first byte picks the encoding (odd: CP932) and the error budget;
// the rest is the file. Properties: no crash; a load either fails or builds
// a roster whose counts match its rows; every rejected row has a line within
// the file and a reason, and a reason never quotes the file (it may hold
// personal data): its text is one of the reader's fixed phrases, so it is
// valid UTF-8 and shorter than the input can make it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "base/csv.h"
#include "services/io/roster_csv.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using kuromaru::fuzz::Check;
namespace io = kuromaru::io;

void CheckReport(const io::RosterLoadReport& report, const std::string& text) {
  int64_t lines = 1;
  for (char c : text) lines += c == '\n' || c == '\r';
  Check(report.rows_rejected >= static_cast<int64_t>(report.errors.size()),
        "every kept error is counted");
  Check(report.rows_rejected <= report.rows_read, "rejected rows were read");
  for (const io::RowError& e : report.errors) {
    Check(e.line >= 1 && e.line <= lines, "an error's line is in the file");
    Check(!e.reason.empty() && e.reason.size() < 120,
          "an error has a short reason");
    Check(kuromaru::base::IsValidUtf8(e.reason), "a reason is valid UTF-8");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  io::RosterLoadOptions options;
  options.encoding = (data[0] & 1) ? kuromaru::base::TextEncoding::kCp932
                                   : kuromaru::base::TextEncoding::kUtf8;
  options.max_errors = data[0] >> 4;
  options.block_size = 1 + (data[0] >> 1 & 7);  // records straddle blocks
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::istringstream in(text);
  io::RosterLoadReport report;
  auto roster = io::ReadRosterCsv(in, options, &report);
  CheckReport(report, text);
  if (!roster.ok()) return 0;
  Check((*roster)->counts().rows <= report.rows_read,
        "a roster holds no more rows than were read");
  // The same bytes as a delta over what was loaded.
  std::istringstream delta_in("op," + text);
  io::RosterLoadReport delta_report;
  auto applied =
      io::ReadRosterDeltaCsv(**roster, delta_in, options, &delta_report);
  CheckReport(delta_report, "op," + text);
  return 0;
}
