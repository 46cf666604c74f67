// libFuzzer target: kuromaru::normalizer::NormalizeField(Field::kBirthDate, …).
#include "tests/fuzz/field_fuzzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kuromaru::fuzz::FuzzField(kuromaru::normalizer::Field::kBirthDate, data, size,
                            true);
  return 0;
}
