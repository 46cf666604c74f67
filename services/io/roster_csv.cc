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
#include "absl/synchronization/mutex.h"
#include "base/memory.h"
#include "base/parallel.h"
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
    base::CsvFieldDecoder decoder(options_.encoding);
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
      Encode(*chunk, decoder, decoded);
      absl::MutexLock lock(&mu_);
      chunk->encoded = true;
    }
  }

  void Encode(Chunk& chunk, base::CsvFieldDecoder& decoder,
              std::string& decoded) {
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
      chunk.rows.push_back(Row(fields, decoder, decoded, &chunk.ops[i]));
    }
  }

  absl::StatusOr<RosterBuilder::EncodedRow> Row(
      const std::vector<std::string_view>& fields,
      base::CsvFieldDecoder& decoder, std::string& decoded, DeltaOp* op) const {
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
      if (!decoder.Decode(raw, &decoded)) {
        return absl::InvalidArgumentError(
            absl::StrCat(std::string(kColumnNames[f]),
                         options_.encoding == base::TextEncoding::kCp932
                             ? ": bytes not valid in CP932"
                             : ": invalid UTF-8"));
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
    const size_t header_size = record.fields.size();
    const int threads =
        options_.threads > 0 ? options_.threads : base::HardwareThreads();
    // Chunks in flight: enough to keep every worker busy while the oldest is
    // added.
    std::deque<std::unique_ptr<Chunk>> chunks;
    const size_t in_flight = static_cast<size_t>(threads) * 3;
    {
      ChunkEncoder encoder(threads, options_, cols, header_size, delta);
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
  // Fills `chunk` with up to kRecordsPerChunk records; false at the end of
  // the file.
  static bool Read(base::CsvReader& reader, Chunk& chunk) {
    base::CsvRecord record;
    while (chunk.records.size() < kRecordsPerChunk) {
      if (!reader.Next(&record)) return false;
      Chunk::Record& r = chunk.records.emplace_back();
      r.line = record.line;
      r.error = record.error;
      r.first_field = static_cast<uint32_t>(chunk.fields.size());
      r.fields = static_cast<uint32_t>(record.fields.size());
      for (std::string_view f : record.fields) {
        chunk.fields.emplace_back(static_cast<uint32_t>(chunk.text.size()),
                                  static_cast<uint32_t>(f.size()));
        chunk.text.append(f.data(), f.size());
      }
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
    std::string reason(status.message());
    if (status.code() == absl::StatusCode::kAlreadyExists) {
      reason = "duplicate enrollment key";
    }
    report_->Reject(line, std::move(reason), options_.max_reported_errors);
  }

  const RosterLoadOptions& options_;
  RosterLoadReport* report_;
  base::CsvFieldDecoder decoder_;
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
