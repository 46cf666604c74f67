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
// The index is one sorted array of (64-bit key hash, enrollment id): 12 bytes
// per entry, built once. RosterIndex is immutable; Candidates() is const and
// thread-safe.
#ifndef KUROMARU_MATCHER_ROSTER_INDEX_H_
#define KUROMARU_MATCHER_ROSTER_INDEX_H_

#include <cstdint>
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
  // A key shared by more enrollments than this (a very common name) says too
  // little and is skipped. Default: 300.
  int max_per_key = 300;
  // The same for keys without the birth date (the full kana or kanji name): a
  // name shared by more persons than this is left to the passes keyed by birth
  // date. Default: 32.
  int max_per_undated_key = 32;
  // Most candidates returned; those found by more passes first. Default: 300.
  int max_total = 300;
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

class RosterIndex {
 public:
  // Requires a non-null roster; kept alive by the index.
  static absl::StatusOr<std::shared_ptr<const RosterIndex>> Build(
      std::shared_ptr<const Roster> roster);

  // Candidates for one receipt, at most options.max_total, ordered by the
  // number of passes that found them (then by enrollment id). `service_month`
  // is YYYYMM; 0 takes each person's latest enrollment. Thread-safe.
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
  size_t entries() const { return entries_.size(); }
  // Bytes of the index itself (the roster aside).
  size_t MemoryBytes() const;

 private:
  explicit RosterIndex(std::shared_ptr<const Roster> roster);
  // Adds up to options.max_per_pass ids under `key` to `hits`.
  using Hits = std::vector<std::pair<EnrollmentId, uint32_t>>;
  void Lookup(uint64_t key, uint32_t pass, int max_per_key, int* budget,
              Hits* hits) const;
  void Query(const PersonView& receipt, const CandidateOptions& options,
             const normalizer::InsurerNumber* billed, Hits* hits) const;

  // Packed to 12 bytes: the index is most of its memory.
  // The id is kept raw: a class type would not pack, and the entry would
  // grow to 16 bytes.
  struct __attribute__((packed)) Entry {
    uint64_t key;
    uint32_t id;  // EnrollmentId::value()
  };
  static_assert(sizeof(Entry) == 12);
  void AddRow(EnrollmentId id);

  void BuildDirectory();

  std::shared_ptr<const Roster> roster_;
  std::vector<Entry> entries_;       // sorted by (key, id)
  std::vector<uint32_t> directory_;  // first entry of each top-bits prefix
  int directory_shift_ = 63;
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
