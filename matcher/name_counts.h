// How many persons carry each name, compactly: the term frequencies the scorer
// weighs an agreeing name by (scorer.h TermFrequency).
//
//   NameCounts counts = NameCounts::Build(std::move(hashes));  // one per
//   person uint32_t n = counts.Count(HashBytes(kana_key));
//
// A name is its 64-bit hash; the table keeps a 16-bit fingerprint of the hash
// and a 16-bit count (saturating at 65,535) in buckets of about 8 names chosen
// by the hash's top bits. Two names share a count only when they share a bucket
// and a fingerprint (about one name in 8,000). Immutable after Build();
// thread-safe.
#ifndef KUROMARU_MATCHER_NAME_COUNTS_H_
#define KUROMARU_MATCHER_NAME_COUNTS_H_

#include <cstdint>
#include <vector>

#include "matcher/roster_columns.h"

namespace kuromaru::matcher {

class NameCounts {
 public:
  NameCounts() = default;
  // Counts `hashes` (one per person; any order).
  static NameCounts Build(std::vector<uint64_t> hashes);

  // Persons carrying the name whose hash is `hash`.
  uint32_t Count(uint64_t hash) const;
  // Persons counted, and the sum of the squares of every name's count.
  double total() const { return total_; }
  double sum_of_squares() const { return sum_of_squares_; }
  size_t MemoryBytes() const { return directory_.bytes() + entries_.bytes(); }

 private:
  friend class RosterFile;
  Column<uint32_t> directory_;  // 2^bits_ + 1 bucket starts
  Column<uint32_t> entries_;    // fingerprint << 16 | count, sorted per bucket
  int bits_ = 0;
  double total_ = 0;
  double sum_of_squares_ = 0;
};

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_NAME_COUNTS_H_
