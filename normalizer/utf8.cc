#include "normalizer/utf8.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace kuromaru::normalizer {

bool IsValidUtf8(std::string_view text) {
  return ForEachCodePoint(
             text, [](char32_t, size_t, size_t) { return absl::OkStatus(); })
      .ok();
}

absl::StatusOr<std::u32string> DecodeUtf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  absl::Status status =
      ForEachCodePoint(text, [&out](char32_t c, size_t, size_t) {
        out.push_back(c);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

void AppendUtf8(char32_t c, std::string* out) {
  uint8_t buf[U8_MAX_LENGTH];
  int32_t n = 0;
  UBool error = false;
  U8_APPEND(buf, n, U8_MAX_LENGTH, static_cast<UChar32>(c), error);
  if (!error) out->append(reinterpret_cast<const char*>(buf), n);
}

std::string EncodeUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size() * 3);
  for (char32_t c : text) AppendUtf8(c, &out);
  return out;
}

size_t CodePointCount(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace kuromaru::normalizer
