#include "services/io/roster_csv.h"

#include <algorithm>
#include <array>
#include <deque>
#include <fstream>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "matcher/parallel.h"
#include "normalizer/status_macros.h"
#include "normalizer/utf8.h"
#include "services/io/cp932.h"
#include "services/io/memory.h"

namespace kuromaru::io {
namespace {

using matcher::DeltaOp;
using matcher::Roster;
using matcher::RosterBuilder;
using matcher::RosterRow;

constexpr int kEof = -1;

// RFC 4180 records from a stream read in blocks. Line numbers count every
// line break, those inside quoted fields included.
class CsvReader {
 public:
  CsvReader(std::istream& in, size_t block_size)
      : in_(in), block_(std::max<size_t>(block_size, 1), '\0') {}

  // Reads the next non-empty record; false at the end. Fields are valid until
  // the next call. A malformed record sets `error` and is skipped to the end
  // of its line.
  bool Next(std::vector<std::string_view>* fields, int64_t* line,
            std::string* error) {
    do {
      if (Peek() == kEof) return false;
      *line = line_;
      error->clear();
      ReadRecord(error);
    } while (ends_.size() == 1 && ends_[0] == 0 && error->empty());
    fields->clear();
    size_t start = 0;
    for (size_t end : ends_) {
      fields->emplace_back(text_.data() + start, end - start);
      start = end;
    }
    return true;
  }

 private:
  int Peek() {
    if (pos_ == len_) {
      in_.read(block_.data(), static_cast<std::streamsize>(block_.size()));
      len_ = static_cast<size_t>(in_.gcount());
      pos_ = 0;
      if (len_ == 0) return kEof;
    }
    return static_cast<unsigned char>(block_[pos_]);
  }
  int Get() {
    const int c = Peek();
    if (c != kEof) ++pos_;
    return c;
  }
  // Consumes a line break starting with `c` (CRLF, LF or a lone CR).
  void EndLine(int c) {
    if (c == '\r' && Peek() == '\n') Get();
    ++line_;
  }
  void SkipLine() {
    for (int c = Get(); c != kEof; c = Get()) {
      if (c == '\n' || c == '\r') return EndLine(c);
    }
  }

  void ReadRecord(std::string* error) {
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

  // After the opening quote; false (with `error`) if the file ends first.
  bool ReadQuoted(std::string* error) {
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

  std::istream& in_;
  std::string block_;
  size_t pos_ = 0, len_ = 0;
  int64_t line_ = 1;
  std::string text_;
  std::vector<size_t> ends_;
};

// Column positions of a header; -1 when absent.
struct Columns {
  int op = -1;
  std::array<int, 12> field{};  // in RosterRow order
};

constexpr std::array<const char*, 12> kColumnNames = {
    "insurer_number", "symbol",          "number",      "branch",
    "name_kanji",     "name_kana",       "birth_date",  "sex",
    "qualified_from", "qualified_until", "postal_code", "address"};
constexpr std::array<bool, 12> kRequired = {true, false, true,  false,
                                            true, false, true,  true,
                                            true, false, false, false};

absl::StatusOr<Columns> MatchHeader(std::vector<std::string_view> header,
                                    bool delta) {
  if (!header.empty() && header[0].substr(0, 3) == "\xEF\xBB\xBF") {
    header[0].remove_prefix(3);
  }
  Columns cols;
  cols.field.fill(-1);
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(
        absl::string_view(header[i].data(), header[i].size())));
    if (name == "op") cols.op = static_cast<int>(i);
    for (size_t f = 0; f < kColumnNames.size(); ++f) {
      if (name == kColumnNames[f] && cols.field[f] < 0) {
        cols.field[f] = static_cast<int>(i);
      }
    }
  }
  std::vector<std::string> missing;
  if (delta && cols.op < 0) missing.push_back("op");
  for (size_t f = 0; f < kColumnNames.size(); ++f) {
    if (kRequired[f] && cols.field[f] < 0) missing.push_back(kColumnNames[f]);
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "missing required columns: ", absl::StrJoin(missing, ", ")));
  }
  return cols;
}

// Records of the file in order, a chunk at a time: the fields' bytes as read
// (undecoded) and each record's line and CSV error.
struct Chunk {
  struct Record {
    int64_t line = 0;
    std::string error;  // malformed CSV
    uint32_t first_field = 0, fields = 0;
  };
  std::string text;
  std::vector<std::pair<uint32_t, uint32_t>> fields;  // offset, size in text
  std::vector<Record> records;
  // Filled by a worker: each record's encoded row, or why it is rejected.
  std::vector<absl::StatusOr<RosterBuilder::EncodedRow>> rows;
  std::vector<DeltaOp> ops;
  bool encoded = false;
};

constexpr size_t kRecordsPerChunk = 4096;

// Encodes chunks on worker threads while the caller reads the next ones and
// adds finished ones, in order, to the builder: rows are normalized on every
// core, and the roster is the one a single thread would build.
class ChunkEncoder {
 public:
  ChunkEncoder(int threads, const RosterLoadOptions& options,
               const Columns& cols, size_t header_size, bool delta)
      : options_(options),
        cols_(cols),
        header_size_(header_size),
        delta_(delta) {
    for (int i = 0; i < threads; ++i) {
      workers_.emplace_back([this] { Work(); });
    }
  }
  ~ChunkEncoder() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    for (std::thread& t : workers_) t.join();
  }

  void Submit(Chunk* chunk) {
    absl::MutexLock lock(&mu_);
    queue_.push_back(chunk);
  }
  void Wait(Chunk* chunk) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&chunk->encoded));
  }

 private:
  void Work() {
    Cp932 cp932;
    std::string decoded;
    for (;;) {
      Chunk* chunk = nullptr;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](ChunkEncoder* e) { return e->stop_ || !e->queue_.empty(); },
            this));
        if (queue_.empty()) return;
        chunk = queue_.front();
        queue_.pop_front();
      }
      Encode(*chunk, cp932, decoded);
      absl::MutexLock lock(&mu_);
      chunk->encoded = true;
    }
  }

  void Encode(Chunk& chunk, Cp932& cp932, std::string& decoded) {
    chunk.rows.clear();
    chunk.ops.assign(chunk.records.size(), DeltaOp::kUpsert);
    for (size_t i = 0; i < chunk.records.size(); ++i) {
      const Chunk::Record& r = chunk.records[i];
      if (!r.error.empty()) {
        chunk.rows.emplace_back(absl::InvalidArgumentError(r.error));
        continue;
      }
      std::vector<std::string_view> fields;
      for (uint32_t f = 0; f < r.fields; ++f) {
        const auto& [offset, size] = chunk.fields[r.first_field + f];
        fields.emplace_back(chunk.text.data() + offset, size);
      }
      chunk.rows.push_back(Row(fields, cp932, decoded, &chunk.ops[i]));
    }
  }

  absl::StatusOr<RosterBuilder::EncodedRow> Row(
      const std::vector<std::string_view>& fields, Cp932& cp932,
      std::string& decoded, DeltaOp* op) const {
    if (fields.size() != header_size_) {
      return absl::InvalidArgumentError(absl::StrCat(
          fields.size(), " fields where the header has ", header_size_));
    }
    decoded.clear();
    std::array<std::pair<size_t, size_t>, 12> spans{};
    for (size_t f = 0; f < kColumnNames.size(); ++f) {
      if (cols_.field[f] < 0) continue;
      const std::string_view raw = fields[static_cast<size_t>(cols_.field[f])];
      const size_t start = decoded.size();
      if (options_.encoding == CsvEncoding::kCp932) {
        if (!cp932.Decode(raw, &decoded)) {
          return absl::InvalidArgumentError(
              absl::StrCat(kColumnNames[f], ": bytes not valid in CP932"));
        }
      } else {
        if (!normalizer::IsValidUtf8(raw)) {
          return absl::InvalidArgumentError(
              absl::StrCat(kColumnNames[f], ": invalid UTF-8"));
        }
        decoded.append(raw.data(), raw.size());
      }
      spans[f] = {start, decoded.size() - start};
    }
    std::array<std::string_view, 12> v;
    for (size_t f = 0; f < v.size(); ++f) {
      v[f] = std::string_view(decoded).substr(spans[f].first, spans[f].second);
    }
    const RosterRow row{v[0], v[1], v[2], v[3], v[4],  v[5],
                        v[6], v[7], v[8], v[9], v[10], v[11]};
    if (!delta_) return RosterBuilder::Encode(row);
    const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(
        absl::string_view(fields[static_cast<size_t>(cols_.op)].data(),
                          fields[static_cast<size_t>(cols_.op)].size())));
    if (name == "upsert") {
      *op = DeltaOp::kUpsert;
      return RosterBuilder::Encode(row);
    }
    if (name == "delete") {
      *op = DeltaOp::kDelete;
      return RosterBuilder::EncodeKey(row);
    }
    return absl::InvalidArgumentError("op: not upsert or delete");
  }

  const RosterLoadOptions& options_;
  const Columns& cols_;
  const size_t header_size_;
  const bool delta_;
  absl::Mutex mu_;
  std::deque<Chunk*> queue_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

// Reads records, has them decoded and validated on worker threads, adds them
// to `builder` in file order, and enforces the error budget.
class Loader {
 public:
  Loader(const RosterLoadOptions& options, RosterLoadReport* report)
      : options_(options), report_(report) {}

  absl::StatusOr<std::shared_ptr<const Roster>> Run(std::istream& in,
                                                    RosterBuilder* builder,
                                                    bool delta) {
    if (options_.encoding == CsvEncoding::kCp932 && !Cp932().ok()) {
      return absl::InternalError("ICU has no windows-31j converter");
    }
    CsvReader reader(in, options_.block_size);
    std::vector<std::string_view> fields;
    int64_t line = 0;
    std::string error;
    if (!reader.Next(&fields, &line, &error)) {
      return absl::InvalidArgumentError("empty file: no header row");
    }
    if (!error.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("header: ", error));
    }
    ASSIGN_OR_RETURN(Columns cols, MatchHeader(fields, delta));
    const int threads = matcher::ThreadCount(options_.threads);
    // Chunks in flight: enough to keep every worker busy while the oldest is
    // added.
    std::deque<std::unique_ptr<Chunk>> chunks;
    const size_t in_flight = static_cast<size_t>(threads) * 3;
    {
      ChunkEncoder encoder(threads, options_, cols, fields.size(), delta);
      for (bool more = true; more;) {
        auto chunk = std::make_unique<Chunk>();
        more = Read(reader, *chunk);
        if (!chunk->records.empty()) {
          encoder.Submit(chunk.get());
          chunks.push_back(std::move(chunk));
        }
        while (!chunks.empty() && (chunks.size() >= in_flight || !more)) {
          encoder.Wait(chunks.front().get());
          Add(*chunks.front(), builder, delta);
          chunks.pop_front();
        }
      }
    }
    if (in.bad()) return absl::DataLossError("read error");
    RETURN_IF_ERROR(CheckBudget());
    report_->delta = builder->delta_stats();
    ASSIGN_OR_RETURN(std::shared_ptr<const Roster> roster, builder->Build());
    report_->counts = roster->counts();
    report_->version = roster->version();
    return roster;
  }

 private:
  // Fills `chunk` with up to kRecordsPerChunk records; false at the end of
  // the file.
  static bool Read(CsvReader& reader, Chunk& chunk) {
    std::vector<std::string_view> fields;
    std::string error;
    while (chunk.records.size() < kRecordsPerChunk) {
      Chunk::Record record;
      if (!reader.Next(&fields, &record.line, &error)) return false;
      record.error = error;
      record.first_field = static_cast<uint32_t>(chunk.fields.size());
      record.fields = static_cast<uint32_t>(fields.size());
      for (std::string_view f : fields) {
        chunk.fields.emplace_back(static_cast<uint32_t>(chunk.text.size()),
                                  static_cast<uint32_t>(f.size()));
        chunk.text.append(f.data(), f.size());
      }
      chunk.records.push_back(std::move(record));
    }
    return true;
  }

  void Add(Chunk& chunk, RosterBuilder* builder, bool delta) {
    for (size_t i = 0; i < chunk.records.size(); ++i) {
      ++report_->rows_read;
      absl::StatusOr<RosterBuilder::EncodedRow>& row = chunk.rows[i];
      absl::Status status = row.status();
      if (status.ok()) {
        status = delta ? builder->ApplyEncoded(chunk.ops[i], *row)
                       : builder->AddEncoded(*row);
      }
      if (!status.ok()) Reject(chunk.records[i].line, status);
    }
  }

  void Reject(int64_t line, const absl::Status& status) {
    ++report_->rows_rejected;
    if (report_->errors.size() < options_.max_reported_errors) {
      std::string reason(status.message());
      if (status.code() == absl::StatusCode::kAlreadyExists) {
        reason = "duplicate enrollment key";
      }
      report_->errors.push_back({line, std::move(reason)});
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

  const RosterLoadOptions& options_;
  RosterLoadReport* report_;
};

absl::StatusOr<std::shared_ptr<const Roster>> Load(
    std::istream& in, const Roster* base, const RosterLoadOptions& options,
    RosterLoadReport* report) {
  RosterLoadReport local;
  if (report == nullptr) report = &local;
  *report = RosterLoadReport();
  absl::StatusOr<std::shared_ptr<const Roster>> roster;
  {
    RosterBuilder builder =
        base == nullptr ? RosterBuilder() : RosterBuilder(*base);
    roster = Loader(options, report).Run(in, &builder, base != nullptr);
  }
  // The builder's buffers are gone; the index build that follows reuses
  // nothing of them.
  ReleaseFreeMemory();
  return roster;
}

absl::StatusOr<std::shared_ptr<const Roster>> LoadFile(
    const std::string& path, const Roster* base,
    const RosterLoadOptions& options, RosterLoadReport* report) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot open roster file ", path));
  }
  return Load(in, base, options, report);
}

}  // namespace

absl::StatusOr<CsvEncoding> ParseCsvEncoding(std::string_view name) {
  const std::string n = absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(absl::string_view(name.data(), name.size())));
  if (n.empty() || n == "utf-8" || n == "utf8") return CsvEncoding::kUtf8;
  if (n == "cp932" || n == "windows-31j" || n == "shift_jis" || n == "sjis") {
    return CsvEncoding::kCp932;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown encoding ", n, " (utf-8 or cp932)"));
}

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
    const Roster& base, const std::string& path,
    const RosterLoadOptions& options, RosterLoadReport* report) {
  return LoadFile(path, &base, options, report);
}

absl::StatusOr<std::shared_ptr<const Roster>> ReadRosterDeltaCsv(
    const Roster& base, std::istream& in, const RosterLoadOptions& options,
    RosterLoadReport* report) {
  return Load(in, &base, options, report);
}

}  // namespace kuromaru::io
