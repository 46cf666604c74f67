#include "services/io/directory_csv.h"

#include <array>
#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace kuromaru::io {
namespace {

using matcher::DirectoryRow;
using matcher::InsurerDirectory;
using matcher::InsurerDirectoryBuilder;

// The columns of DirectoryRow, in its order, and which a file must have.
constexpr std::array<std::string_view, 7> kColumns = {
    "insurer_number", "name",    "name_kana", "aliases",
    "prefecture",     "address", "employers"};
constexpr std::array<bool, 7> kRequired = {true,  true,  false, false,
                                           false, false, false};

class Loader {
 public:
  Loader(const DirectoryLoadOptions& options, DirectoryLoadReport* report)
      : options_(options), report_(report), decoder_(options.encoding) {}

  absl::StatusOr<std::shared_ptr<const InsurerDirectory>> Run(
      std::istream& in) {
    if (!decoder_.ok()) {
      return absl::InternalError("ICU has no windows-31j converter");
    }
    base::CsvReader reader(in);
    base::CsvRecord record;
    if (!reader.Next(&record)) {
      return absl::InvalidArgumentError("empty file: no header row");
    }
    if (!record.error.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("header: ", record.error));
    }
    ASSIGN_OR_RETURN(const std::vector<int> cols,
                     base::FindColumns(record.fields, kColumns, kRequired));
    const size_t header_size = record.fields.size();
    InsurerDirectoryBuilder builder;
    while (reader.Next(&record)) {
      ++report_->rows_read;
      absl::Status status =
          !record.error.empty() ? absl::InvalidArgumentError(record.error)
          : record.fields.size() != header_size
              ? absl::InvalidArgumentError(
                    absl::StrCat(record.fields.size(),
                                 " fields where the header has ", header_size))
              : Row(record.fields, cols, &builder);
      if (!status.ok()) {
        report_->Reject(record.line, std::string(status.message()),
                        options_.max_reported_errors);
      }
    }
    if (reader.failed()) return absl::DataLossError("read error");
    RETURN_IF_ERROR(CheckErrorBudget(*report_, options_.max_errors,
                                     options_.max_error_ratio));
    ASSIGN_OR_RETURN(auto directory, std::move(builder).Build());
    report_->counts = directory->counts();
    report_->version = directory->version();
    return directory;
  }

 private:
  absl::Status Row(const std::vector<std::string_view>& fields,
                   const std::vector<int>& cols,
                   InsurerDirectoryBuilder* builder) {
    std::array<std::string, 7> v;
    for (size_t f = 0; f < kColumns.size(); ++f) {
      if (cols[f] < 0) continue;
      if (!decoder_.Decode(fields[static_cast<size_t>(cols[f])], &v[f])) {
        return absl::InvalidArgumentError(
            absl::StrCat(std::string(kColumns[f]),
                         options_.encoding == base::TextEncoding::kCp932
                             ? ": bytes not valid in CP932"
                             : ": invalid UTF-8"));
      }
    }
    return builder->Add(DirectoryRow{v[0], v[1], v[2], v[3], v[4], v[5], v[6]});
  }

  const DirectoryLoadOptions& options_;
  DirectoryLoadReport* report_;
  base::CsvFieldDecoder decoder_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<const InsurerDirectory>> ReadDirectoryCsv(
    std::istream& in, const DirectoryLoadOptions& options,
    DirectoryLoadReport* report) {
  DirectoryLoadReport local;
  if (report == nullptr) report = &local;
  *report = DirectoryLoadReport();
  return Loader(options, report).Run(in);
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
