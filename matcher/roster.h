// The roster: every enrollment (資格) of every insured person, immutable once
// built.
//
//   RosterBuilder builder;
//   RETURN_IF_ERROR(builder.Add(row));           // once per CSV row
//   ASSIGN_OR_RETURN(std::shared_ptr<const Roster> roster, builder.Build());
//   PersonView v = roster->View(id);              // what the scorer compares
//   EnrollmentId now = roster->ValidIn(roster->PersonOf(id), 202404);
//
// The unit is the enrollment: (insurer, 記号, 番号, 枝番, period). Enrollments
// of the same person under different insurers are grouped into a person
// (same kana key, birth date and sex, and a kanji name compatible after
// variant folding and wildcards), sorted by period, so that the scorer can
// find the enrollment valid in a service month and the ones before and after
// it — a clinic that billed the old insurer needs the new one.
//
// Storage is columnar and compact: one POD record per enrollment whose
// strings are uint32 offsets into one interned string pool; no per-row heap
// objects. A Roster is logically immutable and safe to share between threads;
// a delta produces a new Roster and leaves the old one untouched.
#ifndef KUROMARU_MATCHER_ROSTER_H_
#define KUROMARU_MATCHER_ROSTER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/hash.h"
#include "matcher/ids.h"
#include "matcher/person.h"

namespace kuromaru::matcher {

// Hashes that are the same in every process, for versions and index keys.
using base::HashBytes;
using base::HashMix;

// One roster row as read (FORMATS.md §1), views into the caller's buffer.
struct RosterRow {
  std::string_view insurer_number, symbol, number, branch, name_kanji,
      name_kana, birth_date, sex, qualified_from, qualified_until, postal_code,
      address;
};

// An enrollment's values as in its roster row, for display and for the
// match result's key.
struct EnrollmentInfo {
  std::string_view insurer_number, symbol, number, branch;
  std::string_view name_kanji, name_kana;
  PackedDate birth_date = 0;
  Sex sex = Sex::kUnknown;
  PackedDate qualified_from = 0;
  PackedDate qualified_until = 0;  // first day without coverage; 0 if current
  PersonId person;
};

struct RosterCounts {
  int64_t rows = 0;
  int64_t persons = 0;  // person-looking groups
  int64_t insurers = 0;
  int64_t rows_with_wildcards = 0;
};

// Compact string storage: each string once, as a varint length and its
// bytes; a reference is the uint32 offset of the length.
class StringPool {
 public:
  StringPool();
  StringPool(const StringPool&) = delete;
  StringPool& operator=(const StringPool&) = delete;
  // Copies the strings of `other`; they are not interned again.
  void CopyFrom(const StringPool& other);
  // Offset of `s`, appending it unless an equal string is already there.
  uint32_t Intern(std::string_view s);
  std::string_view Get(uint32_t ref) const;
  size_t bytes() const { return data_.size(); }
  // Drops the interning table (the strings stay readable).
  void Freeze();

 private:
  std::string data_;
  struct Hash {
    using is_transparent = void;
    const std::string* data;
    size_t operator()(uint32_t ref) const;
    size_t operator()(std::string_view s) const;
  };
  struct Eq {
    using is_transparent = void;
    const std::string* data;
    std::string_view Str(uint32_t ref) const;
    std::string_view Str(std::string_view s) const { return s; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return Str(a) == Str(b);
    }
  };
  absl::flat_hash_set<uint32_t, Hash, Eq> index_;
};

// One enrollment in the pool: 27 x 4 bytes, no heap.
struct EnrollmentRecord {
  // Raw, as in the row.
  uint32_t raw_insurer, raw_symbol, raw_number, raw_branch, raw_kanji, raw_kana;
  // Normalized (PersonView); surnames are prefixes of their keys.
  uint32_t kanji_key, kanji_loose_key, kana_key, kana_loose_key, insurer,
      member_key, member_number, postal_code, address_key, municipality;
  uint8_t kanji_surname_bytes, kana_surname_bytes, wildcard_count;
  Sex sex;
  PackedDate birth_date, qualified_from, qualified_until;
  PersonId person;
};

class Roster {
 public:
  size_t size() const { return records_.size(); }
  size_t person_count() const { return person_start_.size() - 1; }

  // Requires id < size(). The views live as long as the Roster.
  PersonView View(EnrollmentId id) const;
  EnrollmentInfo Info(EnrollmentId id) const;
  PersonId PersonOf(EnrollmentId id) const {
    return records_[id.value()].person;
  }

  // The person's enrollments sorted by qualified_from (then by insurer).
  std::span<const EnrollmentId> Enrollments(PersonId person) const;
  // The person's enrollment covering the first day of `month`
  // (qualified_from <= YYYYMM01 < qualified_until); kNoEnrollment if none.
  // With overlapping enrollments, the one that began last.
  EnrollmentId ValidIn(PersonId person, PackedMonth month) const;
  // The enrollment before / after `id` in its person's sorted list;
  // kNoEnrollment at either end.
  EnrollmentId Previous(EnrollmentId id) const;
  EnrollmentId Next(EnrollmentId id) const;
  // True if `id` covers the first day of `month`.
  bool CoversMonth(EnrollmentId id, PackedMonth month) const;

  // The enrollment with this key (normalized as NormalizeMember does), or
  // kNoEnrollment.
  EnrollmentId Find(std::string_view insurer_number, std::string_view symbol,
                    std::string_view number, std::string_view branch,
                    PackedDate qualified_from) const;

  const RosterCounts& counts() const { return counts_; }
  // "<16 hex digits of an order-independent content hash>-<rows>".
  const std::string& version() const { return version_; }
  // Bytes held by the pool, records and person tables.
  size_t MemoryBytes() const;

  const EnrollmentRecord& record(EnrollmentId id) const {
    return records_[id.value()];
  }
  const StringPool& pool() const { return pool_; }

 private:
  friend class RosterBuilder;
  Roster() = default;
  EnrollmentId FindKey(uint64_t hash, std::string_view insurer,
                       std::string_view member_key, PackedDate from) const;

  StringPool pool_;
  std::vector<EnrollmentRecord> records_;
  std::vector<uint32_t> person_start_;  // person_count() + 1 offsets
  std::vector<EnrollmentId> person_enrollments_;
  std::vector<uint32_t> position_;  // index of each enrollment in the above
  // Hash of the enrollment key → id (collisions resolved by comparing).
  // Two keys with one hash are a 2^-64 event: the second is kept in a list.
  absl::flat_hash_map<uint64_t, EnrollmentId> by_key_;
  std::vector<std::pair<uint64_t, EnrollmentId>> key_collisions_;
  RosterCounts counts_;
  std::string version_;
};

enum class DeltaOp { kUpsert, kDelete };

struct DeltaStats {
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t deleted = 0;
  int64_t delete_not_found = 0;  // deletes of a key the roster lacks
};

// Collects rows and builds a Roster. Not thread-safe; Build() consumes it.
class RosterBuilder {
 public:
  RosterBuilder();
  // Starts from every enrollment of `base` (for a delta).
  explicit RosterBuilder(const Roster& base);
  ~RosterBuilder();

  // Validates and normalizes one row: required fields present, insurer
  // number of 6 or 8 digits, birth and qualification dates YYYYMMDD and
  // valid, sex 1 or 2, qualified_until after qualified_from, every field
  // normalizable. InvalidArgument with a reason ("birth_date: ...") leaves the
  // builder unchanged; AlreadyExists for a second row with the same key.
  absl::Status Add(const RosterRow& row);

  // Applies one delta row: an upsert replaces the enrollment with the same key
  // or adds it; a delete removes it (a missing key is counted, not an error).
  absl::Status Apply(DeltaOp op, const RosterRow& row);

  const DeltaStats& delta_stats() const { return delta_stats_; }
  size_t size() const;

  // Groups persons, counts, hashes. FailedPrecondition if called twice.
  absl::StatusOr<std::shared_ptr<const Roster>> Build();

 private:
  absl::StatusOr<EnrollmentRecord> MakeRecord(const RosterRow& row);
  void Insert(const EnrollmentRecord& record);
  void GroupPersons();
  void Finish();

  std::unique_ptr<Roster> roster_;
  std::vector<bool> deleted_;
  int64_t deleted_count_ = 0;
  bool built_ = false;
  DeltaStats delta_stats_;
};

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_ROSTER_H_
