#include "base/hash.h"

namespace kuromaru::base {

uint64_t Fnv1a64(std::string_view bytes, uint64_t basis) {
  uint64_t h = basis;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

uint64_t HashBytes(std::string_view bytes, uint64_t seed) {
  const uint64_t h =
      Fnv1a64(bytes, kFnv1aOffsetBasis ^ (seed * 0x9E3779B97F4A7C15ull));
  return HashMix(h, bytes.size());
}

uint64_t HashMix(uint64_t h, uint64_t v) {
  uint64_t z = h ^ (v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2));
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace kuromaru::base
