#include "matcher/name_counts.h"

#include <algorithm>
#include <bit>

namespace kuromaru::matcher {
namespace {

constexpr size_t kNamesPerBucket = 8;

uint32_t Fingerprint(uint64_t hash, int bits) {
  return static_cast<uint32_t>((hash << bits) >> 48);
}

}  // namespace

NameCounts NameCounts::Build(std::vector<uint64_t> hashes) {
  NameCounts out;
  std::sort(hashes.begin(), hashes.end());
  size_t names = 0;
  for (size_t i = 0; i < hashes.size(); ++i) {
    names += i == 0 || hashes[i] != hashes[i - 1];
  }
  out.bits_ = std::max(
      0, static_cast<int>(std::bit_width(names / kNamesPerBucket)) - 1);
  const size_t buckets = size_t{1} << out.bits_;
  std::vector<uint32_t> directory(buckets + 1, 0);
  std::vector<uint32_t> entries;
  entries.reserve(names);
  // Sorted hashes are sorted by bucket, then by fingerprint: one run per name.
  for (size_t i = 0; i < hashes.size();) {
    size_t j = i + 1;
    while (j < hashes.size() && hashes[j] == hashes[i]) ++j;
    const uint64_t count = j - i;
    out.total_ += static_cast<double>(count);
    out.sum_of_squares_ += static_cast<double>(count) * count;
    const size_t bucket = out.bits_ == 0 ? 0 : hashes[i] >> (64 - out.bits_);
    ++directory[bucket + 1];
    entries.push_back(Fingerprint(hashes[i], out.bits_) << 16 |
                      static_cast<uint32_t>(std::min<uint64_t>(count, 0xFFFF)));
    i = j;
  }
  for (size_t b = 0; b < buckets; ++b) directory[b + 1] += directory[b];
  out.directory_ = Column<uint32_t>(std::move(directory));
  out.entries_ = Column<uint32_t>(std::move(entries));
  return out;
}

uint32_t NameCounts::Count(uint64_t hash) const {
  if (entries_.empty()) return 0;
  const size_t bucket = bits_ == 0 ? 0 : hash >> (64 - bits_);
  const uint32_t fp = Fingerprint(hash, bits_);
  uint32_t count = 0;
  for (uint32_t i = directory_[bucket]; i < directory_[bucket + 1]; ++i) {
    const uint32_t e = entries_[i];
    if (e >> 16 == fp) count += e & 0xFFFF;  // two names, one fingerprint
  }
  return std::min<uint32_t>(count, 0xFFFF);
}

}  // namespace kuromaru::matcher
