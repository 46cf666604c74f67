#include "base/cp932.h"

#include <unicode/utf16.h>
#include <unicode/utf8.h>

namespace kuromaru::base {

Cp932::Cp932() {
  UErrorCode status = U_ZERO_ERROR;
  conv_ = ucnv_open("windows-31j", &status);
  if (U_FAILURE(status)) {
    conv_ = nullptr;
    return;
  }
  ucnv_setToUCallBack(conv_, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr,
                      &status);
  ucnv_setFromUCallBack(conv_, UCNV_FROM_U_CALLBACK_STOP, nullptr, nullptr,
                        nullptr, &status);
}

Cp932::~Cp932() {
  if (conv_ != nullptr) ucnv_close(conv_);
}

bool Cp932::Decode(std::string_view in, std::string* out) {
  if (conv_ == nullptr) return false;
  if (in.empty()) return true;
  utf16_.resize(in.size() + 1);  // CP932 never yields more units than bytes
  UErrorCode status = U_ZERO_ERROR;
  ucnv_resetToUnicode(conv_);
  const int32_t n =
      ucnv_toUChars(conv_, utf16_.data(), static_cast<int32_t>(utf16_.size()),
                    in.data(), static_cast<int32_t>(in.size()), &status);
  if (U_FAILURE(status)) return false;
  out->reserve(out->size() + static_cast<size_t>(n) * 3);
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U16_NEXT(utf16_.data(), i, n, c);
    uint8_t bytes[U8_MAX_LENGTH];
    int32_t length = 0;
    U8_APPEND_UNSAFE(bytes, length, c);
    out->append(reinterpret_cast<const char*>(bytes),
                static_cast<size_t>(length));
  }
  return true;
}

std::string Cp932::EncodeOne(char32_t c) {
  if (conv_ == nullptr) return {};
  UChar units[2];
  int32_t length = 0;
  UBool error = false;
  U16_APPEND(units, length, 2, static_cast<UChar32>(c), error);
  if (error) return {};
  char bytes[8];
  UErrorCode status = U_ZERO_ERROR;
  ucnv_resetFromUnicode(conv_);
  const int32_t n =
      ucnv_fromUChars(conv_, bytes, sizeof(bytes), units, length, &status);
  if (U_FAILURE(status) || n < 1) return {};
  return std::string(bytes, static_cast<size_t>(n));
}

}  // namespace kuromaru::base
