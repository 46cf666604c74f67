// Streaming RFC 4180 CSV with line numbers, in UTF-8 or CP932: the one reader
// behind the roster and insurer-directory files (io/roster_csv.h,
// io/directory_csv.h).
//
//   CsvReader reader(in);
//   CsvRecord record;
//   if (!reader.Next(&record)) return absl::InvalidArgumentError("empty");
//   ASSIGN_OR_RETURN(std::vector<int> columns,
//                    FindColumns(record.fields, kNames, kRequired));
//   CsvFieldDecoder decoder(TextEncoding::kCp932);
//   while (reader.Next(&record)) {
//     if (!record.error.empty()) { /* reject record.line */ continue; }
//     std::string name;
//     if (!decoder.Decode(record.fields[columns[1]], &name)) { ... }
//   }
//
// Quoted fields may hold commas, doubled quotes and line breaks; records end
// in CRLF, LF or a lone CR. Line numbers are 1-based and count every line
// break, those inside quoted fields included; a record's number is the line
// it starts on. Blank lines are skipped. The input is read in blocks and
// never held whole.
//
// Thread-compatible: one reader per stream.
#ifndef KUROMARU_BASE_CSV_H_
#define KUROMARU_BASE_CSV_H_

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/cp932.h"

namespace kuromaru::base {

enum class TextEncoding { kUtf8, kCp932 };

// "utf-8"/"utf8"/"" → kUtf8, "cp932"/"windows-31j"/"shift_jis"/"sjis" →
// kCp932 (case-insensitive); InvalidArgument naming the encoding otherwise.
absl::StatusOr<TextEncoding> ParseTextEncoding(std::string_view name);

// "utf-8" or "cp932": the canonical name ParseTextEncoding accepts.
const char* TextEncodingName(TextEncoding encoding);

struct CsvRecord {
  int64_t line = 0;  // where the record starts
  // The fields' raw bytes, unquoted; valid until the reader's next Next().
  std::vector<std::string_view> fields;
  // Why the record is malformed (its fields are then incomplete and the rest
  // of its line is skipped); empty for a good record. Never quotes the text.
  std::string error;
};

class CsvReader {
 public:
  // Reads `in` (which must outlive the reader) `block_size` bytes at a time.
  explicit CsvReader(std::istream& in, size_t block_size = 1 << 20);

  // The next record that is not a blank line; false at the end of the input.
  bool Next(CsvRecord* record);

  // True when reading failed (as opposed to reaching the end).
  bool failed() const { return in_.bad(); }

 private:
  int Peek();
  int Get();
  void EndLine(int c);
  void SkipLine();
  void ReadRecord(std::string* error);
  bool ReadQuoted(std::string* error);

  std::istream& in_;
  // Not initialized: only what a read fills is looked at, and a large block
  // would otherwise be written once for nothing.
  const size_t block_size_;
  std::unique_ptr<char[]> block_;
  size_t pos_ = 0, len_ = 0;
  int64_t line_ = 1;
  std::string text_;
  std::vector<size_t> ends_;
};

// The position of each of `names` in a header record (-1 when absent), the
// header's names compared case-insensitively with surrounding spaces and a
// UTF-8 byte-order mark removed; the first column of a name wins.
// InvalidArgument "missing required columns: a, b" when a name whose
// `required` entry is true is absent. `names` and `required` have the same
// size.
absl::StatusOr<std::vector<int>> FindColumns(
    std::span<const std::string_view> header,
    std::span<const std::string_view> names, std::span<const bool> required);

// Field bytes in a file's encoding to UTF-8. CP932 is decoded with ICU's
// windows-31j converter (the user-defined area F040–F9FC becomes
// U+E000–U+E757); UTF-8 is checked, not changed. Not thread-safe: one per
// reader.
class CsvFieldDecoder {
 public:
  explicit CsvFieldDecoder(TextEncoding encoding) : encoding_(encoding) {}

  // False when the encoding cannot be decoded at all (ICU has no CP932
  // table); Decode then fails on everything.
  bool ok() const { return encoding_ == TextEncoding::kUtf8 || cp932_.ok(); }

  // Appends the UTF-8 of `raw` to *out; false for bytes that are not valid in
  // the encoding (*out may then hold part of the text).
  bool Decode(std::string_view raw, std::string* out);

 private:
  TextEncoding encoding_;
  Cp932 cp932_;
};

// True when `text` is well-formed UTF-8 (no surrogates, no overlong forms).
bool IsValidUtf8(std::string_view text);

}  // namespace kuromaru::base

#endif  // KUROMARU_BASE_CSV_H_
