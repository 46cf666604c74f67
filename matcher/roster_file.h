// A built roster — its enrollments, persons, name counts and index — in one
// file, opened by mapping it: a restart serves in seconds instead of loading
// and indexing a CSV file for minutes.
//
//   RosterFileInfo info;                 // what the file was built from
//   RETURN_IF_ERROR(WriteRosterFile(*index, info, "/data/roster.snap"));
//   ASSIGN_OR_RETURN(OpenedRosterFile file,
//                    OpenRosterFile("/data/roster.snap"));
//   file.index->Candidates(…);           // arrays point into the mapping
//
// Layout (little-endian): a 128-byte header (magic, format version, the
// kuromaru version that wrote it, file size, section count), a table of
// sections (id, offset, size, checksum), then the sections, each aligned to
// 64 bytes. A section's checksum is XXH64 over the XXH64 of each of its 16 MiB
// blocks, so that opening verifies every block on every core.
//
// Opening refuses, with FAILED_PRECONDITION and a message naming the cause, a
// file that is not a roster file (magic), is truncated or longer than its
// header says, has a corrupted section (checksum) or table, was written in
// another format version or by another kuromaru version (the index's keys and
// the normalization behind them are those of the version that built it:
// rebuild the file with `kuromaru roster build`). Nothing of a refused file is
// used. The file must not change while mapped; writing goes to a temporary
// file renamed into place.
//
// Thread-safe: the opened roster and index are immutable.
#ifndef KUROMARU_MATCHER_ROSTER_FILE_H_
#define KUROMARU_MATCHER_ROSTER_FILE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "matcher/roster_index.h"

namespace kuromaru::matcher {

// The kuromaru version a roster file is tied to.
const char* RosterFileWriterVersion();
// The layout version this kuromaru reads and writes.
inline constexpr uint32_t kRosterFileFormat = 1;

// What a roster file records about its making, besides the roster.
struct RosterFileInfo {
  // The snapshot CSV it was built from, and its encoding.
  std::string source_path;
  std::string encoding;
  // The delta files applied on top, in order, each with a digest of its
  // content ("<16 hex digits>-<bytes>"), so that they are not applied twice.
  struct Delta {
    std::string path;
    std::string digest;
    friend bool operator==(const Delta&, const Delta&) = default;
  };
  std::vector<Delta> deltas;
  // The insurer directory the file serves with: its path and its bytes, kept
  // as they are (empty: none).
  std::string directory_path;
  std::string directory_bytes;
  // When it was built (RFC 3339), for operators.
  std::string built_at;
};

struct OpenedRosterFile {
  std::shared_ptr<const RosterIndex> index;  // and its roster
  RosterFileInfo info;
  std::string writer_version;
  uint64_t file_bytes = 0;
};

struct RosterFileOptions {
  // Threads that verify checksums; 0: one per core.
  int threads = 0;
};

// Writes `index` (with its roster) and `info` to `path`, through a temporary
// file beside it renamed into place. Returns the bytes written. `writer` is
// the version recorded (tests write another one's files).
absl::StatusOr<uint64_t> WriteRosterFile(
    const RosterIndex& index, const RosterFileInfo& info,
    const std::string& path,
    const std::string& writer = RosterFileWriterVersion());

// Maps and verifies the roster file at `path`. NOT_FOUND when it cannot be
// opened; FAILED_PRECONDITION when it is refused (see above).
absl::StatusOr<OpenedRosterFile> OpenRosterFile(
    const std::string& path, const RosterFileOptions& options = {});

// What an intact roster file of this format records of its making, whoever
// wrote it: so that a file another kuromaru version wrote, which
// OpenRosterFile refuses, can be built again from its sources.
struct ForeignRosterFile {
  RosterFileInfo info;
  std::string writer_version;
};
absl::StatusOr<ForeignRosterFile> ReadRosterFileInfo(
    const std::string& path, const RosterFileOptions& options = {});

// True when the first bytes of `path` are a roster file's magic (whatever its
// version or state), so that callers can tell a roster file from a CSV.
bool LooksLikeRosterFile(const std::string& path);

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_ROSTER_FILE_H_
