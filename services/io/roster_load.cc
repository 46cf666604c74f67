#include "services/io/roster_load.h"

#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "matcher/xxhash64.h"
#include "normalizer/status_macros.h"
#include "services/io/memory.h"

namespace kuromaru::io {
namespace {

const char* EncodingName(CsvEncoding encoding) {
  return encoding == CsvEncoding::kCp932 ? "cp932" : "utf-8";
}

}  // namespace

absl::StatusOr<std::string> FileDigest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path));
  return absl::StrFormat(
      "%016x-%d", matcher::XxHash64(bytes.data(), bytes.size()), bytes.size());
}

absl::Status LoadRoster(const std::string& path,
                        const std::vector<std::string>& delta_paths,
                        const RosterLoadOptions& options, LoadedRoster* out) {
  *out = LoadedRoster();
  absl::Time start = absl::Now();
  std::shared_ptr<const matcher::Roster> roster;
  if (matcher::LooksLikeRosterFile(path)) {
    matcher::RosterFileOptions file_options;
    file_options.threads = options.threads;
    ASSIGN_OR_RETURN(matcher::OpenedRosterFile file,
                     matcher::OpenRosterFile(path, file_options));
    out->index = file.index;
    out->info = std::move(file.info);
    out->from_file = true;
    out->file_bytes = file.file_bytes;
    roster = out->index->roster_ptr();
  } else {
    absl::StatusOr<std::shared_ptr<const matcher::Roster>> csv =
        LoadRosterCsv(path, options, &out->report);
    RETURN_IF_ERROR(csv.status());
    roster = *std::move(csv);
    out->info.source_path = path;
    out->info.encoding = EncodingName(options.encoding);
  }
  for (const std::string& delta : delta_paths) {
    ASSIGN_OR_RETURN(std::string digest, FileDigest(delta));
    const matcher::RosterFileInfo::Delta* included = nullptr;
    for (const auto& d : out->info.deltas) {
      if (d.path == delta) included = &d;
    }
    if (included != nullptr) {
      if (included->digest == digest) continue;  // in the roster file
      return absl::FailedPreconditionError(absl::StrCat(
          "delta ", delta, " changed since roster file ", path,
          " included it (", included->digest, ", now ", digest, ")"));
    }
    out->delta_reports.emplace_back(delta, RosterLoadReport());
    absl::StatusOr<std::shared_ptr<const matcher::Roster>> next =
        ApplyRosterDeltaCsv(*roster, delta, options,
                            &out->delta_reports.back().second);
    RETURN_IF_ERROR(next.status());
    roster = *std::move(next);
    out->index = nullptr;  // the roster changed
    out->info.deltas.push_back({delta, std::move(digest)});
  }
  out->report.counts = roster->counts();
  out->report.version = roster->version();
  out->load_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (out->index == nullptr) {
    start = absl::Now();
    matcher::IndexOptions index_options;
    index_options.threads = options.threads;
    ASSIGN_OR_RETURN(out->index, matcher::RosterIndex::Build(std::move(roster),
                                                             index_options));
    out->index_seconds = absl::ToDoubleSeconds(absl::Now() - start);
    ReleaseFreeMemory();
  }
  return absl::OkStatus();
}

}  // namespace kuromaru::io
