// Candidate generation (blocking) over an immutable roster.
//
//   ASSIGN_OR_RETURN(std::shared_ptr<const RosterIndex> index,
//                    RosterIndex::Build(roster));
//   snapshot.Set(index);                          // server: atomic swap
//   std::shared_ptr<const RosterIndex> now = snapshot.Get();
//   std::vector<Candidate> c = now->Candidates(receipt.View(), 202404, {});
//
// Several passes, each keyed on different fields, are unioned so that one
// wrong field never hides the right person:
//   kKanaName         folded (loose) kana full name
//   kKanaSurnameBirth kana surname + birth date
//   kBirthInitial     birth date or one of its near misses (a digit, month/day
//                     swapped, wrong era) + the first kana (else kanji) letter;
//                     the exact birth date + the last kanji letter
//   kKanjiName        loose kanji name, wildcard-aware: each row is also
//                     indexed with one character masked as ●
//   kMemberNumber     番号 alone, across insurers
//   kInsurerMember    insurer + 記号 + 番号 (branch aside), also under the
//                     repairs of an insurer number whose 検証番号 fails
//   kAddress          postal code or municipality + birth date; for 不詳
//                     receipts, which carry name, kana, birth date and address
// Every pass hit is mapped to its person, and the candidate is the person's
// enrollment valid in the service month (or, failing that, the nearest one),
// so a receipt billed to the old insurer finds the new enrollment.
//
// A key is a 64-bit hash. The index keeps, for each key, each person once
// (its lowest enrollment under that key): 40-bit entries (a fingerprint of the
// key's next bits, then the enrollment id) in buckets chosen by the key's top
// bits, 16 to 32 entries a bucket, found through a directory of bucket
// starts. A key therefore has 40 − id bits of fingerprint besides its bucket:
// a collision (about one lookup in 2^fingerprint_bits / 24 — one in 10^4 at
// 1M enrollments, one in 340 at 120M) adds a stray candidate; it never hides
// one. Built in parallel, in two passes over the roster that write every entry
// in place, so that building needs no more memory than the index. RosterIndex
// is immutable; Candidates() is const and thread-safe.
//
// Candidates are ranked by how many passes found them, then by how specific
// the most specific key that found them was (how few persons share it), and
// cut at CandidateOptions::max_total: as the roster grows, keys such as a birth
// date and an initial find more persons, but those found by one such key alone
// are the ones cut.
#ifndef KUROMARU_MATCHER_ROSTER_INDEX_H_
#define KUROMARU_MATCHER_ROSTER_INDEX_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "matcher/person.h"
#include "matcher/roster.h"
#include "normalizer/insurer.h"

namespace kuromaru::matcher {

enum BlockingPass : uint32_t {
  kKanaName = 1u << 0,
  kKanaSurnameBirth = 1u << 1,
  kBirthInitial = 1u << 2,
  kKanjiName = 1u << 3,
  kMemberNumber = 1u << 4,
  kInsurerMember = 1u << 5,
  kAddress = 1u << 6,
};
inline constexpr int kBlockingPassCount = 7;
// "kana_name", "kana_surname_birth", … for one pass bit.
const char* BlockingPassName(uint32_t pass);

struct CandidateOptions {
  // Most hits one pass contributes; a key that would overflow what is left
  // is skipped. Default: 500.
  int max_per_pass = 500;
  // A key shared by more persons than this (a very common name) says too
  // little and is skipped. Default: 300.
  int max_per_key = 300;
  // The same for keys without the birth date (the full kana or kanji name): a
  // name shared by more persons than this is left to the passes keyed by birth
  // date. Default: 32.
  int max_per_undated_key = 32;
  // Most candidates returned: those that agree most with the receipt (a
  // cheap count of the fields they share), then those found by more passes,
  // then by a key fewer persons share. Default: 24.
  int max_total = 24;
  // Candidates that agree with the receipt this many points less than the
  // best one are not returned: a namesake sharing only the birth date with a
  // receipt whose name, birth date and card agree with another person. A
  // name, a birth date and a card number are 4 points each. Default: 8.
  int max_agreement_gap = 8;
  // Persons with no enrollment valid in the service month are returned with
  // their nearest enrollment (valid_in_month false). Default: true.
  bool include_not_valid = true;
};

struct Candidate {
  // The person's enrollment valid in the service month, or the nearest one.
  EnrollmentId enrollment = kNoEnrollment;
  PersonId person;
  // The enrollment a pass matched first; differs from `enrollment` when the
  // receipt matched an earlier or later enrollment of the person.
  EnrollmentId matched = kNoEnrollment;
  uint32_t passes = 0;  // BlockingPass bits
  bool valid_in_month = false;
};

struct IndexOptions {
  // Threads that build the index; 0: one per core.
  int threads = 0;
};

class RosterIndex {
 public:
  // Requires a non-null roster; kept alive by the index.
  static absl::StatusOr<std::shared_ptr<const RosterIndex>> Build(
      std::shared_ptr<const Roster> roster,
      const IndexOptions& options = IndexOptions());

  // Candidates for one receipt: the persons its blocking passes find, at most
  // options.max_total of those that agree most with it, none agreeing
  // options.max_agreement_gap points less than the best; ordered by the
  // number of passes that found them (then by enrollment id). A candidate
  // that may continue the chain of one whose enrollments all ended before the
  // month ranks with it. `service_month` is YYYYMM; 0 takes each person's
  // latest enrollment. Thread-safe.
  // `billed` is the receipt's insurer number as parsed (it and its repairs
  // key the insurer-and-member pass); nullptr when it has none or it did not
  // parse.
  std::vector<Candidate> Candidates(
      const PersonView& receipt, PackedMonth service_month,
      const CandidateOptions& options,
      const normalizer::InsurerNumber* billed) const;

  // The enrollments under the same insurer and 記号・番号 as `id` (any 枝番:
  // its household), `id` itself excluded. Thread-safe.
  std::vector<EnrollmentId> Household(EnrollmentId id) const;

  const Roster& roster() const { return *roster_; }
  const std::shared_ptr<const Roster>& roster_ptr() const { return roster_; }
  size_t entries() const { return entry_count_; }
  // Bytes of the index itself (the roster aside).
  size_t MemoryBytes() const;

 private:
  friend class RosterFile;
  explicit RosterIndex(std::shared_ptr<const Roster> roster);
  // A hit: an enrollment, the pass that found it and how many persons share
  // the key.
  struct Hit {
    EnrollmentId id;
    uint32_t pass;
    uint32_t shared;
    PersonId person;  // filled once all passes are done
  };
  using Hits = std::vector<Hit>;
  // Adds the ids under `key` to `hits`, unless more than max_per_key or the
  // pass's budget share it.
  void Lookup(uint64_t key, uint32_t pass, int max_per_key, int* budget,
              Hits* hits) const;
  void Query(const PersonView& receipt, const CandidateOptions& options,
             const normalizer::InsurerNumber* billed, Hits* hits) const;
  absl::Status Fill(int threads);
  // The 40-bit entry `i`: fingerprint << id_bits_ | id.
  uint64_t Entry(size_t i) const {
    uint64_t v;
    std::memcpy(&v, entries_.data() + i * 5, sizeof(v));
    return v & ((uint64_t{1} << 40) - 1);
  }

  std::shared_ptr<const Roster> roster_;
  Column<uint8_t> entries_;     // 5 bytes each, then 3 bytes of padding
  Column<uint32_t> directory_;  // first entry of each bucket, and the end
  size_t entry_count_ = 0;
  int directory_bits_ = 1;  // buckets: the key's top bits
  int id_bits_ = 1;         // the rest of an entry: fingerprint bits
};

// The current index, swapped atomically when a new roster is loaded. Readers
// keep the snapshot they got for as long as they hold the pointer.
// Thread-safe.
class RosterSnapshot {
 public:
  // Null until the first Set().
  std::shared_ptr<const RosterIndex> Get() const;
  void Set(std::shared_ptr<const RosterIndex> index);

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const RosterIndex> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_ROSTER_INDEX_H_
