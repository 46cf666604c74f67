// Files an operator sends to the server (RosterService.UploadChunk) rather
// than copying them onto it: rosters, deltas, directories, models.
//
//   UploadDir uploads("/var/lib/kuromaru/uploads");  // shared by replicas
//   v1::UploadChunkRequest first;                    // offset 0, a name
//   first.set_name("roster-2026-12.csv");
//   first.set_data(first_mib);
//   absl::StatusOr<v1::UploadChunkResponse> r = uploads.Receive(first);
//   // … next chunks with r->upload_id() and r->received() as the offset;
//   // the last with last = true and the file's SHA-256: r->path() is then
//   // the file, under a name that begins with its SHA-256.
//
// The state of an upload is its partial file, `.partial/<upload_id>` in the
// directory, so chunks may reach any replica that mounts the directory, and
// a chunk that does not start where the partial file ends is refused with
// the offset to resume from. A finished file is checked against the SHA-256
// the client gave, made durable, then renamed to `<sha256[0:16]>-<name>`:
// the same content uploaded twice is one file, and a file never appears
// half-written under its final name.
//
// Thread-safe.
#ifndef KUROMARU_SERVICES_GRPC_UPLOAD_DIR_H_
#define KUROMARU_SERVICES_GRPC_UPLOAD_DIR_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kuromaru/v1/roster.pb.h"

namespace kuromaru::grpc_service {

class UploadDir {
 public:
  static constexpr int64_t kMaxChunkBytes = 1 << 20;

  // `dir` must be an absolute path; it and `.partial` in it are created on
  // first use.
  explicit UploadDir(std::string dir) : dir_(std::move(dir)) {}

  // Takes one chunk. INVALID_ARGUMENT naming the field for a bad name, id,
  // chunk size or SHA-256 (a finished file whose SHA-256 differs is
  // removed: start again); FAILED_PRECONDITION, with the offset the server
  // holds, for a chunk that does not start there; NOT_FOUND for an unknown
  // upload id.
  absl::StatusOr<v1::UploadChunkResponse> Receive(
      const v1::UploadChunkRequest& chunk);

  const std::string& dir() const { return dir_; }

 private:
  absl::StatusOr<v1::UploadChunkResponse> Finish(const std::string& upload_id,
                                                 const std::string& partial,
                                                 int64_t size,
                                                 const std::string& sha256);

  const std::string dir_;
  absl::Mutex mu_;  // one chunk at a time in this process
};

// The name a local file is uploaded under: its last part, with every
// character a name may not hold ('.', '_', '-', ASCII letters and digits
// only) replaced by '_'.
std::string UploadNameOf(const std::string& local_path);

// The hex SHA-256 of the file at `path`.
absl::StatusOr<std::string> FileSha256(const std::string& path);

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_UPLOAD_DIR_H_
