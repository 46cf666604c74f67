// Hashes that are the same in every process and release, for what is stored
// or compared across processes: versions, shard assignment, index keys, page
// tokens. (absl::Hash is seeded per process and must not be used for these.)
#ifndef KUROMARU_BASE_HASH_H_
#define KUROMARU_BASE_HASH_H_

#include <cstdint>
#include <string_view>

namespace kuromaru::base {

inline constexpr uint64_t kFnv1aOffsetBasis = 0xcbf29ce484222325ull;

// 64-bit FNV-1a of `bytes`, starting from `basis`.
uint64_t Fnv1a64(std::string_view bytes, uint64_t basis = kFnv1aOffsetBasis);

// FNV-1a from a basis derived from `seed`, then mixed with the length
// (HashMix): better spread than FNV-1a alone, for hash-table keys.
uint64_t HashBytes(std::string_view bytes, uint64_t seed = 0);

// Mixes an integer into a hash (splitmix64's finalizer).
uint64_t HashMix(uint64_t h, uint64_t v);

}  // namespace kuromaru::base

#endif  // KUROMARU_BASE_HASH_H_
