// Files sent to the server in chunks: a whole upload, resuming after a lost
// answer, refusals that name their field, a SHA-256 that does not match,
// and one file for one content.
#include "services/grpc/upload_dir.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/grpc/auth.h"
#include "tests/support/files.h"

namespace kuromaru::grpc_service {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

class UploadDirTest : public ::testing::Test {
 protected:
  // Sends `content` in chunks of `chunk` bytes; the last response.
  absl::StatusOr<v1::UploadChunkResponse> Send(const std::string& name,
                                               const std::string& content,
                                               size_t chunk) {
    v1::UploadChunkRequest request;
    request.set_name(name);
    for (size_t at = 0;; at += chunk) {
      request.set_offset(static_cast<int64_t>(at));
      request.set_data(content.substr(at, chunk));
      request.set_last(at + chunk >= content.size());
      if (request.last()) request.set_sha256(Sha256Hex(content));
      absl::StatusOr<v1::UploadChunkResponse> r = uploads_.Receive(request);
      if (!r.ok() || request.last()) return r;
      request.set_upload_id(r->upload_id());
      request.clear_name();
    }
  }

  ::kuromaru::testing::TempDir dir_;
  UploadDir uploads_{dir_.File("uploads")};
};

TEST_F(UploadDirTest, AssemblesChunksUnderANameThatBeginsWithTheirSha256) {
  const std::string content =
      "insurer_number,symbol\n" + std::string(5000, 'x');
  auto done = Send("roster.csv", content, 1024);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->received(), static_cast<int64_t>(content.size()));
  EXPECT_EQ(done->sha256(), Sha256Hex(content));
  EXPECT_EQ(done->path(), dir_.File("uploads/") +
                              Sha256Hex(content).substr(0, 16) + "-roster.csv");
  EXPECT_EQ(Read(done->path()), content);
  EXPECT_TRUE(
      std::filesystem::is_empty(dir_.File("uploads/.partial")));  // moved
  EXPECT_EQ(FileSha256(done->path()).value_or(""), Sha256Hex(content));

  // The same content again is the same file.
  auto again = Send("roster.csv", content, 4096);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->path(), done->path());
}

TEST_F(UploadDirTest, AChunkSentTwiceIsRefusedWithTheOffsetToResumeFrom) {
  v1::UploadChunkRequest first;
  first.set_name("delta.csv");
  first.set_data("abc");
  auto started = uploads_.Receive(first);
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(started->received(), 3);

  v1::UploadChunkRequest next;
  next.set_upload_id(started->upload_id());
  next.set_offset(3);
  next.set_data("def");
  ASSERT_TRUE(uploads_.Receive(next).ok());
  // Its answer was lost; the client sends it again.
  auto twice = uploads_.Receive(next);
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(twice.status().message()),
              HasSubstr("holds 6 bytes"));

  v1::UploadChunkRequest last;
  last.set_upload_id(started->upload_id());
  last.set_offset(6);
  last.set_last(true);
  last.set_sha256(Sha256Hex("abcdef"));
  auto done = uploads_.Receive(last);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(Read(done->path()), "abcdef");
  // A finished upload takes no more chunks.
  EXPECT_EQ(uploads_.Receive(next).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(UploadDirTest, AFileWhoseSha256DiffersIsDiscarded) {
  v1::UploadChunkRequest only;
  only.set_name("roster.csv");
  only.set_data("abc");
  only.set_last(true);
  only.set_sha256(Sha256Hex("abd"));
  auto r = uploads_.Receive(only);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), StartsWith("sha256: "));
  EXPECT_TRUE(std::filesystem::is_empty(dir_.File("uploads/.partial")));
  int files = 0;
  for (const auto& e :
       std::filesystem::directory_iterator(dir_.File("uploads"))) {
    files += e.is_regular_file();
  }
  EXPECT_EQ(files, 0);
}

TEST_F(UploadDirTest, RefusesBadChunksNamingTheField) {
  auto field_of = [&](const v1::UploadChunkRequest& r) {
    absl::Status s = uploads_.Receive(r).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    const std::string message(s.message());
    return message.substr(0, message.find(':'));
  };
  v1::UploadChunkRequest r;
  EXPECT_EQ(field_of(r), "name");  // no name
  r.set_name("../etc/passwd");
  EXPECT_EQ(field_of(r), "name");
  r.set_name(".hidden");
  EXPECT_EQ(field_of(r), "name");
  r.set_name("ok.csv");
  r.set_offset(5);
  EXPECT_EQ(field_of(r), "offset");
  r.set_offset(0);
  r.set_data(std::string(UploadDir::kMaxChunkBytes + 1, 'x'));
  EXPECT_EQ(field_of(r), "data");
  r.set_data("x");
  r.set_last(true);
  r.set_sha256("not hex");
  EXPECT_EQ(field_of(r), "sha256");
  v1::UploadChunkRequest foreign;
  foreign.set_upload_id("../../cases.db");
  EXPECT_EQ(field_of(foreign), "upload_id");
  foreign.set_upload_id("0123456789abcdef-nothing.csv");
  EXPECT_EQ(uploads_.Receive(foreign).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace kuromaru::grpc_service
