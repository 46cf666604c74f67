#include "services/gen/random.h"

#include <algorithm>

namespace kuromaru::gen {
namespace {

__extension__ typedef unsigned __int128 Uint128;

uint64_t SplitMix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t Mix(uint64_t a, uint64_t b, uint64_t c) {
  return SplitMix(SplitMix(SplitMix(a) ^ b) ^ c);
}

uint64_t Rng::Below(uint64_t n) {
  // Multiply-high: the bias (n / 2^64) is far below anything measurable here.
  return static_cast<uint64_t>((static_cast<Uint128>(engine_()) * n) >> 64);
}

int64_t Rng::Between(int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
}

double Rng::Unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

size_t Rng::Pick(const std::vector<double>& cumulative) {
  const double x = Unit() * cumulative.back();
  const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), x);
  return std::min<size_t>(it - cumulative.begin(), cumulative.size() - 1);
}

double UnitOf(uint64_t seed, uint64_t k) {
  return static_cast<double>(Mix(seed, k) >> 11) * 0x1.0p-53;
}

std::vector<double> Cumulative(const std::vector<double>& weights) {
  std::vector<double> out;
  out.reserve(weights.size());
  double sum = 0;
  for (double w : weights) out.push_back(sum += w);
  return out;
}

}  // namespace kuromaru::gen
