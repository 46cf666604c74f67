// Deterministic randomness for the synthetic data generator.
//
// Every draw goes through Rng's own arithmetic on std::mt19937_64 (whose output
// sequence the standard fixes), never through std::*_distribution, whose
// results differ between standard libraries: a seed gives the same files
// everywhere. Not thread-safe; one Rng per household or receipt.
#ifndef KUROMARU_SERVICES_GEN_RANDOM_H_
#define KUROMARU_SERVICES_GEN_RANDOM_H_

#include <cstdint>
#include <random>
#include <vector>

namespace kuromaru::gen {

// SplitMix64 finalizer: spreads (seed, stream, index) into independent seeds.
uint64_t Mix(uint64_t a, uint64_t b, uint64_t c = 0);

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  uint64_t Next() { return engine_(); }
  // Uniform in [0, n); requires n > 0.
  uint64_t Below(uint64_t n);
  // Uniform in [lo, hi]; requires lo <= hi.
  int64_t Between(int64_t lo, int64_t hi);
  // Uniform in [0, 1).
  double Unit();
  bool Chance(double p) { return Unit() < p; }
  // An index drawn with the weights whose running sums are `cumulative`
  // (non-decreasing, last element > 0).
  size_t Pick(const std::vector<double>& cumulative);

 private:
  std::mt19937_64 engine_;
};

// A uniform draw in [0, 1) keyed by (seed, k): many small independent draws
// (one roster row's) without the cost of seeding an Rng.
double UnitOf(uint64_t seed, uint64_t k);

// Running sums of `weights`, for Rng::Pick.
std::vector<double> Cumulative(const std::vector<double>& weights);

}  // namespace kuromaru::gen

#endif  // KUROMARU_SERVICES_GEN_RANDOM_H_
