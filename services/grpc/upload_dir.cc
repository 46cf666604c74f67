#include "services/grpc/upload_dir.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace kuromaru::grpc_service {
namespace {

constexpr size_t kMaxNameBytes = 100;
constexpr size_t kIdHexDigits = 16;

bool NameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
         c == '_' || c == '-';
}

// A file name kept as the last part of a path on the server.
bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameBytes || name[0] == '.') {
    return false;
  }
  for (char c : name) {
    if (!NameChar(c)) return false;
  }
  return true;
}

bool IsHex(const std::string& s) {
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// `<16 hex digits>-<name>`.
bool ValidId(const std::string& id) {
  return id.size() > kIdHexDigits + 1 && id[kIdHexDigits] == '-' &&
         IsHex(id.substr(0, kIdHexDigits)) &&
         ValidName(id.substr(kIdHexDigits + 1));
}

absl::Status Errno(const std::string& what) {
  const int e = errno;
  if (e == ENOSPC || e == EDQUOT) {
    return absl::ResourceExhaustedError(
        absl::StrCat(what, ": no space left for uploads"));
  }
  return absl::ErrnoToStatus(e, what);
}

absl::Status MakeDir(const std::string& path) {
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return Errno(absl::StrCat("cannot create ", path));
  }
  return absl::OkStatus();
}

absl::Status SyncPath(const std::string& path, int flags) {
  const int fd = open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Errno(absl::StrCat("cannot open ", path));
  const int rc = fsync(fd);
  close(fd);
  if (rc != 0) return Errno(absl::StrCat("cannot sync ", path));
  return absl::OkStatus();
}

absl::Status Append(const std::string& path, int flags,
                    const std::string& data) {
  const int fd = open(path.c_str(), flags | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError("this upload id is taken; start again");
    }
    return Errno(absl::StrCat("cannot open ", path));
  }
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status status = Errno(absl::StrCat("cannot write ", path));
      close(fd);
      return status;
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) return Errno(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::StatusOr<std::string> NewId(const std::string& name) {
  unsigned char bytes[kIdHexDigits / 2];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return absl::InternalError("the system random generator failed");
  }
  return absl::StrCat(absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(bytes), sizeof bytes)),
                      "-", name);
}

}  // namespace

std::string UploadNameOf(const std::string& local_path) {
  const size_t slash = local_path.rfind('/');
  std::string name =
      slash == std::string::npos ? local_path : local_path.substr(slash + 1);
  for (char& c : name) {
    if (!NameChar(c)) c = '_';
  }
  if (name.empty() || name[0] == '.') name.insert(0, "f");
  return name.substr(0, kMaxNameBytes);
}

absl::StatusOr<std::string> FileSha256(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno(absl::StrCat("cannot open ", path));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                              EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::vector<char> buffer(UploadDir::kMaxChunkBytes);
  for (;;) {
    const ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status status = Errno(absl::StrCat("cannot read ", path));
      close(fd);
      return status;
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<size_t>(n));
  }
  close(fd);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &size);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), size));
}

absl::StatusOr<v1::UploadChunkResponse> UploadDir::Receive(
    const v1::UploadChunkRequest& chunk) {
  if (static_cast<int64_t>(chunk.data().size()) > kMaxChunkBytes) {
    return absl::InvalidArgumentError("data: at most 1 MiB per chunk");
  }
  if (chunk.offset() < 0) {
    return absl::InvalidArgumentError("offset: must be 0 or more");
  }
  if (chunk.last() && (chunk.sha256().size() != 64 || !IsHex(chunk.sha256()))) {
    return absl::InvalidArgumentError(
        "sha256: the last chunk gives the file's SHA-256, 64 hex digits");
  }
  absl::MutexLock lock(&mu_);
  const std::string partial_dir = absl::StrCat(dir_, "/.partial");
  std::string id = chunk.upload_id();
  if (id.empty()) {
    if (!ValidName(chunk.name())) {
      return absl::InvalidArgumentError(
          "name: 1 to 100 letters, digits, '.', '_' or '-', not starting "
          "with '.'");
    }
    if (chunk.offset() != 0) {
      return absl::InvalidArgumentError(
          "offset: the first chunk of an upload starts at 0");
    }
    RETURN_IF_ERROR(MakeDir(dir_));
    RETURN_IF_ERROR(MakeDir(partial_dir));
    ASSIGN_OR_RETURN(id, NewId(chunk.name()));
    RETURN_IF_ERROR(Append(absl::StrCat(partial_dir, "/", id), O_CREAT | O_EXCL,
                           chunk.data()));
  } else {
    if (!ValidId(id)) {
      return absl::InvalidArgumentError("upload_id: not one this server gave");
    }
    const std::string partial = absl::StrCat(partial_dir, "/", id);
    struct stat st;
    if (stat(partial.c_str(), &st) != 0) {
      return absl::NotFoundError(
          absl::StrCat("no upload ", id, " in progress; start again"));
    }
    if (st.st_size != chunk.offset()) {
      return absl::FailedPreconditionError(
          absl::StrCat("offset: the server holds ", st.st_size,
                       " bytes of this upload; send from there"));
    }
    RETURN_IF_ERROR(Append(partial, O_APPEND, chunk.data()));
  }
  const std::string partial = absl::StrCat(partial_dir, "/", id);
  const int64_t size =
      chunk.offset() + static_cast<int64_t>(chunk.data().size());
  if (chunk.last()) {
    return Finish(id, partial, size, absl::AsciiStrToLower(chunk.sha256()));
  }
  v1::UploadChunkResponse out;
  out.set_upload_id(id);
  out.set_received(size);
  return out;
}

absl::StatusOr<v1::UploadChunkResponse> UploadDir::Finish(
    const std::string& upload_id, const std::string& partial, int64_t size,
    const std::string& sha256) {
  RETURN_IF_ERROR(SyncPath(partial, O_RDONLY));
  ASSIGN_OR_RETURN(std::string actual, FileSha256(partial));
  if (actual != sha256) {
    unlink(partial.c_str());
    return absl::InvalidArgumentError(
        absl::StrCat("sha256: the file received has ", actual, ", not ", sha256,
                     "; it was discarded: upload it again"));
  }
  const std::string final_path =
      absl::StrCat(dir_, "/", sha256.substr(0, kIdHexDigits), "-",
                   upload_id.substr(kIdHexDigits + 1));
  if (rename(partial.c_str(), final_path.c_str()) != 0) {
    return Errno(absl::StrCat("cannot rename into ", final_path));
  }
  RETURN_IF_ERROR(SyncPath(dir_, O_RDONLY | O_DIRECTORY));
  v1::UploadChunkResponse out;
  out.set_upload_id(upload_id);
  out.set_received(size);
  out.set_path(final_path);
  out.set_sha256(sha256);
  return out;
}

}  // namespace kuromaru::grpc_service
