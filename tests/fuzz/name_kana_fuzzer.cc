// libFuzzer target: kuromaru::normalizer::NormalizeField(Field::kNameKana, …).
#include "tests/fuzz/field_fuzzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kuromaru::fuzz::FuzzField(kuromaru::normalizer::Field::kNameKana, data, size,
                            true);
  return 0;
}
