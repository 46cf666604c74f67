#include "base/csv.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "unicode/utf8.h"

namespace kuromaru::base {
namespace {

constexpr int kEof = -1;

}  // namespace

absl::StatusOr<TextEncoding> ParseTextEncoding(std::string_view name) {
  const std::string n = absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(absl::string_view(name.data(), name.size())));
  if (n.empty() || n == "utf-8" || n == "utf8") return TextEncoding::kUtf8;
  if (n == "cp932" || n == "windows-31j" || n == "shift_jis" || n == "sjis") {
    return TextEncoding::kCp932;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown encoding ", n, " (utf-8 or cp932)"));
}

const char* TextEncodingName(TextEncoding encoding) {
  return encoding == TextEncoding::kCp932 ? "cp932" : "utf-8";
}

CsvReader::CsvReader(std::istream& in, size_t block_size)
    : in_(in),
      block_size_(std::max<size_t>(block_size, 1)),
      block_(std::make_unique_for_overwrite<char[]>(block_size_)) {}

bool CsvReader::Next(CsvRecord* record) {
  do {
    if (Peek() == kEof) return false;
    record->line = line_;
    record->error.clear();
    ReadRecord(&record->error);
  } while (ends_.size() == 1 && ends_[0] == 0 && record->error.empty());
  record->fields.clear();
  size_t start = 0;
  for (size_t end : ends_) {
    record->fields.emplace_back(text_.data() + start, end - start);
    start = end;
  }
  return true;
}

int CsvReader::Peek() {
  if (pos_ == len_) {
    in_.read(block_.get(), static_cast<std::streamsize>(block_size_));
    len_ = static_cast<size_t>(in_.gcount());
    pos_ = 0;
    if (len_ == 0) return kEof;
  }
  return static_cast<unsigned char>(block_[pos_]);
}

int CsvReader::Get() {
  const int c = Peek();
  if (c != kEof) ++pos_;
  return c;
}

// Consumes a line break starting with `c` (CRLF, LF or a lone CR).
void CsvReader::EndLine(int c) {
  if (c == '\r' && Peek() == '\n') Get();
  ++line_;
}

void CsvReader::SkipLine() {
  for (int c = Get(); c != kEof; c = Get()) {
    if (c == '\n' || c == '\r') return EndLine(c);
  }
}

void CsvReader::ReadRecord(std::string* error) {
  text_.clear();
  ends_.clear();
  for (;;) {
    int c = Get();
    if (c == '"') {
      if (!ReadQuoted(error)) return;
      c = Get();
      if (c != ',' && c != '\r' && c != '\n' && c != kEof) {
        *error = "text after a closing quote";
        return SkipLine();
      }
    } else {
      while (c != ',' && c != '\r' && c != '\n' && c != kEof) {
        text_.push_back(static_cast<char>(c));
        c = Get();
      }
    }
    ends_.push_back(text_.size());
    if (c == ',') continue;
    if (c != kEof) EndLine(c);
    return;
  }
}

// After the opening quote; false (with `error`) if the input ends first.
bool CsvReader::ReadQuoted(std::string* error) {
  for (;;) {
    const int c = Get();
    if (c == kEof) {
      *error = "quoted field not closed before the end of the file";
      return false;
    }
    if (c == '"') {
      if (Peek() != '"') return true;
      Get();
    } else if (c == '\n' || (c == '\r' && Peek() != '\n')) {
      ++line_;
    }
    text_.push_back(static_cast<char>(c));
  }
}

absl::StatusOr<std::vector<int>> FindColumns(
    std::span<const std::string_view> header,
    std::span<const std::string_view> names, std::span<const bool> required) {
  std::vector<int> columns(names.size(), -1);
  for (size_t i = 0; i < header.size(); ++i) {
    std::string_view raw = header[i];
    if (i == 0 && raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(3);
    const std::string name = absl::AsciiStrToLower(
        absl::StripAsciiWhitespace(absl::string_view(raw.data(), raw.size())));
    for (size_t f = 0; f < names.size(); ++f) {
      if (name == names[f] && columns[f] < 0) columns[f] = static_cast<int>(i);
    }
  }
  std::vector<std::string> missing;
  for (size_t f = 0; f < names.size(); ++f) {
    if (required[f] && columns[f] < 0) missing.emplace_back(names[f]);
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "missing required columns: ", absl::StrJoin(missing, ", ")));
  }
  return columns;
}

bool CsvFieldDecoder::Decode(std::string_view raw, std::string* out) {
  if (encoding_ == TextEncoding::kCp932) return cp932_.Decode(raw, out);
  if (!IsValidUtf8(raw)) return false;
  out->append(raw.data(), raw.size());
  return true;
}

bool IsValidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) return false;
  }
  return true;
}

}  // namespace kuromaru::base
