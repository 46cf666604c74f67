// CP932 (Microsoft's Shift_JIS, ICU's windows-31j): the encoding of roster and
// directory files from older systems and of レセ電 files.
#ifndef KUROMARU_BASE_CP932_H_
#define KUROMARU_BASE_CP932_H_

#include <unicode/ucnv.h>

#include <string>
#include <string_view>
#include <vector>

namespace kuromaru::base {

// A CP932 ⇄ Unicode converter. Bytes CP932 does not define are an error, never
// replaced. Not thread-safe: one per reader.
class Cp932 {
 public:
  Cp932();
  ~Cp932();
  Cp932(const Cp932&) = delete;
  Cp932& operator=(const Cp932&) = delete;

  // False if ICU has no windows-31j table; nothing else works then.
  bool ok() const { return conv_ != nullptr; }

  // Appends the UTF-8 of `in` to *out; false on bytes CP932 does not define
  // (*out may then hold part of the text).
  bool Decode(std::string_view in, std::string* out);

  // The CP932 bytes of one code point, or empty if CP932 has none.
  std::string EncodeOne(char32_t c);

 private:
  UConverter* conv_ = nullptr;
  std::vector<UChar> utf16_;
};

}  // namespace kuromaru::base

#endif  // KUROMARU_BASE_CP932_H_
