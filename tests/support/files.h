// Files for tests: a temporary directory removed afterwards, and reading a
// file a test needs, failing with a clear message when it is not there (a
// test never passes or skips silently because its input is missing).
#ifndef KUROMARU_TESTS_SUPPORT_FILES_H_
#define KUROMARU_TESTS_SUPPORT_FILES_H_

#include <string>

namespace kuromaru::testing {

class TempDir {
 public:
  // A fresh directory under the test's temporary directory.
  TempDir();
  // Removes it with everything in it.
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name.
  std::string File(const std::string& name) const;
  // Writes `text` to path()/name and returns that path.
  std::string Write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

// The contents of `path`; "" after an ADD_FAILURE naming the file and `why`
// it is needed when it cannot be read.
std::string RequireFile(const std::string& path, const std::string& why);

// True when `path` can be opened for reading.
bool FileExists(const std::string& path);

}  // namespace kuromaru::testing

#endif  // KUROMARU_TESTS_SUPPORT_FILES_H_
