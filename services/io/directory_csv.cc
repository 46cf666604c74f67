#include "services/io/directory_csv.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "normalizer/status_macros.h"
#include "normalizer/utf8.h"
#include "services/io/cp932.h"

namespace kuromaru::io {
namespace {

using matcher::DirectoryRow;
using matcher::InsurerDirectory;
using matcher::InsurerDirectoryBuilder;

// One RFC 4180 record of `text` from `*pos`. Line numbers count every line
// break, those inside quoted fields included.
struct Record {
  std::vector<std::string> fields;
  int64_t line = 0;
  std::string error;
};

bool NextRecord(std::string_view text, size_t* pos, int64_t* line, Record* r) {
  r->fields.clear();
  r->error.clear();
  if (*pos >= text.size()) return false;
  r->line = *line;
  std::string field;
  auto end_line = [&](char c) {
    if (c == '\r' && *pos < text.size() && text[*pos] == '\n') ++*pos;
    ++*line;
  };
  for (;;) {
    field.clear();
    const bool quoted = *pos < text.size() && text[*pos] == '"';
    if (quoted) {
      ++*pos;
      for (;;) {
        if (*pos >= text.size()) {
          r->error = "quoted field not closed before the end of the file";
          return true;
        }
        const char c = text[(*pos)++];
        if (c == '"') {
          if (*pos < text.size() && text[*pos] == '"') {
            field.push_back('"');
            ++*pos;
            continue;
          }
          break;
        }
        if (c == '\n' ||
            (c == '\r' && (*pos >= text.size() || text[*pos] != '\n'))) {
          ++*line;
        }
        field.push_back(c);
      }
    }
    while (*pos < text.size() && text[*pos] != ',' && text[*pos] != '\r' &&
           text[*pos] != '\n') {
      if (quoted && r->error.empty()) r->error = "text after a closing quote";
      field.push_back(text[(*pos)++]);
    }
    r->fields.push_back(field);
    if (*pos >= text.size()) return true;
    const char c = text[(*pos)++];
    if (c == ',') continue;
    end_line(c);
    return true;
  }
}

constexpr std::array<const char*, 7> kColumns = {
    "insurer_number", "name",    "name_kana", "aliases",
    "prefecture",     "address", "employers"};
constexpr std::array<bool, 7> kRequired = {true,  true,  false, false,
                                           false, false, false};

absl::StatusOr<std::array<int, 7>> MatchHeader(
    std::vector<std::string> header) {
  if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0) {
    header[0].erase(0, 3);
  }
  std::array<int, 7> cols;
  cols.fill(-1);
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string name =
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(header[i]));
    for (size_t f = 0; f < kColumns.size(); ++f) {
      if (name == kColumns[f] && cols[f] < 0) cols[f] = static_cast<int>(i);
    }
  }
  std::vector<std::string> missing;
  for (size_t f = 0; f < kColumns.size(); ++f) {
    if (kRequired[f] && cols[f] < 0) missing.push_back(kColumns[f]);
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "missing required columns: ", absl::StrJoin(missing, ", ")));
  }
  return cols;
}

class Loader {
 public:
  Loader(const DirectoryLoadOptions& options, DirectoryLoadReport* report)
      : options_(options), report_(report) {}

  absl::StatusOr<std::shared_ptr<const InsurerDirectory>> Run(
      std::string_view text) {
    if (options_.encoding == CsvEncoding::kCp932 && !cp932_.ok()) {
      return absl::InternalError("ICU has no windows-31j converter");
    }
    size_t pos = 0;
    int64_t line = 1;
    Record r;
    if (!NextRecord(text, &pos, &line, &r)) {
      return absl::InvalidArgumentError("empty file: no header row");
    }
    if (!r.error.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("header: ", r.error));
    }
    ASSIGN_OR_RETURN(const auto cols, MatchHeader(r.fields));
    const size_t header_size = r.fields.size();
    InsurerDirectoryBuilder builder;
    while (NextRecord(text, &pos, &line, &r)) {
      if (r.fields.size() == 1 && r.fields[0].empty() && r.error.empty()) {
        continue;  // a blank line
      }
      ++report_->rows_read;
      absl::Status status =
          !r.error.empty() ? absl::InvalidArgumentError(r.error)
          : r.fields.size() != header_size
              ? absl::InvalidArgumentError(
                    absl::StrCat(r.fields.size(),
                                 " fields where the header has ", header_size))
              : Row(r.fields, cols, &builder);
      if (!status.ok()) Reject(r.line, status);
    }
    RETURN_IF_ERROR(CheckBudget());
    ASSIGN_OR_RETURN(auto directory, std::move(builder).Build());
    report_->counts = directory->counts();
    report_->version = directory->version();
    return directory;
  }

 private:
  absl::Status Row(const std::vector<std::string>& fields,
                   const std::array<int, 7>& cols,
                   InsurerDirectoryBuilder* builder) {
    std::array<std::string, 7> v;
    for (size_t f = 0; f < kColumns.size(); ++f) {
      if (cols[f] < 0) continue;
      const std::string& raw = fields[static_cast<size_t>(cols[f])];
      if (options_.encoding == CsvEncoding::kCp932) {
        if (!cp932_.Decode(raw, &v[f])) {
          return absl::InvalidArgumentError(
              absl::StrCat(kColumns[f], ": bytes not valid in CP932"));
        }
      } else if (!normalizer::IsValidUtf8(raw)) {
        return absl::InvalidArgumentError(
            absl::StrCat(kColumns[f], ": invalid UTF-8"));
      } else {
        v[f] = raw;
      }
    }
    return builder->Add(DirectoryRow{v[0], v[1], v[2], v[3], v[4], v[5], v[6]});
  }

  void Reject(int64_t line, const absl::Status& status) {
    ++report_->rows_rejected;
    if (report_->errors.size() < options_.max_reported_errors) {
      report_->errors.push_back({line, std::string(status.message())});
    }
  }

  absl::Status CheckBudget() const {
    const auto by_ratio = static_cast<int64_t>(
        options_.max_error_ratio * static_cast<double>(report_->rows_read));
    const int64_t budget = std::max(options_.max_errors, by_ratio);
    if (report_->rows_rejected <= budget) return absl::OkStatus();
    std::vector<std::string> first;
    for (size_t i = 0; i < report_->errors.size() && i < 5; ++i) {
      first.push_back(absl::StrCat("line ", report_->errors[i].line, ": ",
                                   report_->errors[i].reason));
    }
    return absl::InvalidArgumentError(
        absl::StrCat(report_->rows_rejected, " of ", report_->rows_read,
                     " rows rejected, more than the error budget of ", budget,
                     "; first: ", absl::StrJoin(first, "; ")));
  }

  const DirectoryLoadOptions& options_;
  DirectoryLoadReport* report_;
  Cp932 cp932_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<const InsurerDirectory>> ReadDirectoryCsv(
    std::istream& in, const DirectoryLoadOptions& options,
    DirectoryLoadReport* report) {
  DirectoryLoadReport local;
  if (report == nullptr) report = &local;
  *report = DirectoryLoadReport();
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError("read error");
  return Loader(options, report).Run(text.str());
}

absl::StatusOr<std::shared_ptr<const InsurerDirectory>> LoadDirectoryCsv(
    const std::string& path, const DirectoryLoadOptions& options,
    DirectoryLoadReport* report) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot open directory file ", path));
  }
  return ReadDirectoryCsv(in, options, report);
}

}  // namespace kuromaru::io
