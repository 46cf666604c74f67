#include "services/io/roster_csv.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/memory.h"
#include "base/status_macros.h"

namespace kuromaru::io {
namespace {

using matcher::DeltaOp;
using matcher::Roster;
using matcher::RosterBuilder;
using matcher::RosterRow;

// The columns of RosterRow, in its order, and which a file must have.
constexpr std::array<std::string_view, 12> kColumnNames = {
    "insurer_number", "symbol",          "number",      "branch",
    "name_kanji",     "name_kana",       "birth_date",  "sex",
    "qualified_from", "qualified_until", "postal_code", "address"};
constexpr std::array<bool, 12> kRequired = {true, false, true,  false,
                                            true, false, true,  true,
                                            true, false, false, false};

// Column positions of a header; -1 when absent.
struct Columns {
  int op = -1;
  std::vector<int> field;  // in RosterRow order
};

absl::StatusOr<Columns> MatchHeader(const std::vector<std::string_view>& header,
                                    bool delta) {
  // A delta's `op` column is looked up with the others, so that a missing
  // one is named with them.
  std::array<std::string_view, kColumnNames.size() + 1> names;
  std::array<bool, kColumnNames.size() + 1> required;
  names[0] = "op";
  required[0] = delta;
  std::copy(kColumnNames.begin(), kColumnNames.end(), names.begin() + 1);
  std::copy(kRequired.begin(), kRequired.end(), required.begin() + 1);
  ASSIGN_OR_RETURN(std::vector<int> positions,
                   base::FindColumns(header, names, required));
  Columns cols;
  cols.op = positions[0];
  cols.field.assign(positions.begin() + 1, positions.end());
  return cols;
}

// Reads records, decodes and validates them into `builder`, and enforces the
// error budget.
class Loader {
 public:
  Loader(const RosterLoadOptions& options, RosterLoadReport* report)
      : options_(options), report_(report), decoder_(options.encoding) {}

  absl::StatusOr<std::shared_ptr<const Roster>> Run(std::istream& in,
                                                    RosterBuilder* builder,
                                                    bool delta) {
    if (!decoder_.ok()) {
      return absl::InternalError("ICU has no windows-31j converter");
    }
    base::CsvReader reader(in, options_.block_size);
    base::CsvRecord record;
    if (!reader.Next(&record)) {
      return absl::InvalidArgumentError("empty file: no header row");
    }
    if (!record.error.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("header: ", record.error));
    }
    ASSIGN_OR_RETURN(Columns cols, MatchHeader(record.fields, delta));
    header_size_ = record.fields.size();
    while (reader.Next(&record)) {
      ++report_->rows_read;
      absl::Status status = record.error.empty()
                                ? Row(record.fields, cols, delta, builder)
                                : absl::InvalidArgumentError(record.error);
      if (!status.ok()) Reject(record.line, status);
    }
    if (reader.failed()) return absl::DataLossError("read error");
    RETURN_IF_ERROR(CheckErrorBudget(*report_, options_.max_errors,
                                     options_.max_error_ratio));
    report_->delta = builder->delta_stats();
    ASSIGN_OR_RETURN(std::shared_ptr<const Roster> roster, builder->Build());
    report_->counts = roster->counts();
    report_->version = roster->version();
    return roster;
  }

 private:
  absl::Status Row(const std::vector<std::string_view>& fields,
                   const Columns& cols, bool delta, RosterBuilder* builder) {
    if (fields.size() != header_size_) {
      return absl::InvalidArgumentError(absl::StrCat(
          fields.size(), " fields where the header has ", header_size_));
    }
    decoded_.clear();
    std::array<std::pair<size_t, size_t>, 12> spans{};
    for (size_t f = 0; f < kColumnNames.size(); ++f) {
      if (cols.field[f] < 0) continue;
      const std::string_view raw = fields[static_cast<size_t>(cols.field[f])];
      const size_t start = decoded_.size();
      if (!decoder_.Decode(raw, &decoded_)) {
        return absl::InvalidArgumentError(
            absl::StrCat(std::string(kColumnNames[f]),
                         options_.encoding == base::TextEncoding::kCp932
                             ? ": bytes not valid in CP932"
                             : ": invalid UTF-8"));
      }
      spans[f] = {start, decoded_.size() - start};
    }
    std::array<std::string_view, 12> v;
    for (size_t f = 0; f < v.size(); ++f) {
      v[f] = std::string_view(decoded_).substr(spans[f].first, spans[f].second);
    }
    const RosterRow row{v[0], v[1], v[2], v[3], v[4],  v[5],
                        v[6], v[7], v[8], v[9], v[10], v[11]};
    if (!delta) return builder->Add(row);
    const std::string_view raw_op = fields[static_cast<size_t>(cols.op)];
    const std::string op = absl::AsciiStrToLower(absl::StripAsciiWhitespace(
        absl::string_view(raw_op.data(), raw_op.size())));
    if (op == "upsert") return builder->Apply(DeltaOp::kUpsert, row);
    if (op == "delete") return builder->Apply(DeltaOp::kDelete, row);
    return absl::InvalidArgumentError("op: not upsert or delete");
  }

  void Reject(int64_t line, const absl::Status& status) {
    std::string reason(status.message());
    if (status.code() == absl::StatusCode::kAlreadyExists) {
      reason = "duplicate enrollment key";
    }
    report_->Reject(line, std::move(reason), options_.max_reported_errors);
  }

  const RosterLoadOptions& options_;
  RosterLoadReport* report_;
  base::CsvFieldDecoder decoder_;
  size_t header_size_ = 0;
  std::string decoded_;
};

absl::StatusOr<std::shared_ptr<const Roster>> Load(
    std::istream& in, const Roster* base_roster,
    const RosterLoadOptions& options, RosterLoadReport* report) {
  RosterLoadReport local;
  if (report == nullptr) report = &local;
  *report = RosterLoadReport();
  absl::StatusOr<std::shared_ptr<const Roster>> roster;
  {
    RosterBuilder builder =
        base_roster == nullptr ? RosterBuilder() : RosterBuilder(*base_roster);
    roster = Loader(options, report).Run(in, &builder, base_roster != nullptr);
  }
  // The builder's buffers are gone; the index build that follows reuses
  // nothing of them.
  base::ReleaseFreeMemory();
  return roster;
}

absl::StatusOr<std::shared_ptr<const Roster>> LoadFile(
    const std::string& path, const Roster* base_roster,
    const RosterLoadOptions& options, RosterLoadReport* report) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot open roster file ", path));
  }
  return Load(in, base_roster, options, report);
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Roster>> LoadRosterCsv(
    const std::string& path, const RosterLoadOptions& options,
    RosterLoadReport* report) {
  return LoadFile(path, nullptr, options, report);
}

absl::StatusOr<std::shared_ptr<const Roster>> ReadRosterCsv(
    std::istream& in, const RosterLoadOptions& options,
    RosterLoadReport* report) {
  return Load(in, nullptr, options, report);
}

absl::StatusOr<std::shared_ptr<const Roster>> ApplyRosterDeltaCsv(
    const Roster& base_roster, const std::string& path,
    const RosterLoadOptions& options, RosterLoadReport* report) {
  return LoadFile(path, &base_roster, options, report);
}

absl::StatusOr<std::shared_ptr<const Roster>> ReadRosterDeltaCsv(
    const Roster& base_roster, std::istream& in,
    const RosterLoadOptions& options, RosterLoadReport* report) {
  return Load(in, &base_roster, options, report);
}

}  // namespace kuromaru::io
