// XXH64 (Yann Collet's xxHash, 64-bit variant, seed 0): a fast checksum for
// roster files. Not a cryptographic hash: it detects corruption, not
// tampering. Pure and thread-safe.
#ifndef KUROMARU_MATCHER_XXHASH64_H_
#define KUROMARU_MATCHER_XXHASH64_H_

#include <cstddef>
#include <cstdint>

namespace kuromaru::matcher {

uint64_t XxHash64(const void* data, size_t bytes, uint64_t seed = 0);

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_XXHASH64_H_
