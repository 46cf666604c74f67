// libFuzzer target: kuromaru::normalizer::NormalizeField(Field::kNameKanji, …).
#include "tests/fuzz/field_fuzzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kuromaru::fuzz::FuzzField(kuromaru::normalizer::Field::kNameKanji, data, size,
                            true);
  return 0;
}
