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
// Storage is columnar and compact (roster_columns.h): one 28-byte record per
// enrollment referring to interned name and address tuples, a member entry per
// enrollment, no per-row heap objects; the arrays are owned, or views of a
// mapped roster file (roster_file.h). A Roster is logically immutable and safe
// to share between threads; a delta produces a new Roster and leaves the old
// one untouched.
#ifndef KUROMARU_MATCHER_ROSTER_H_
#define KUROMARU_MATCHER_ROSTER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/hash.h"
#include "matcher/ids.h"
#include "matcher/name_counts.h"
#include "matcher/person.h"
#include "matcher/roster_columns.h"

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
// match result's key. The key's views live as long as the Roster.
struct EnrollmentInfo {
  std::string_view insurer_number, symbol, number, branch;
  std::string name_kanji, name_kana;  // rebuilt from the name tuple
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

// One enrollment: 28 bytes, no heap. Its strings are in the roster's blobs
// (roster_columns.h).
struct EnrollmentRecord {
  uint32_t name = 0;     // name tuple: offset / 2 in the names blob
  uint32_t address = 0;  // address tuple: offset in the addresses blob
  PackedDate birth_date = 0, qualified_from = 0, qualified_until = 0;
  PersonId person;
  uint16_t insurer = 0;  // index in the insurer table
  Sex sex = Sex::kUnknown;
  uint8_t raw_forms = 0;  // RawForms(): how the raw names are kept
};

// Where the raw names of an enrollment that are not rebuilt from its keys
// are: offset in the raw-names blob.
struct RawNamesRow {
  EnrollmentId id;
  uint32_t offset = 0;
};
static_assert(sizeof(EnrollmentRecord) == 28);

class Roster {
 public:
  ~Roster();
  size_t size() const { return records_.size(); }
  size_t person_count() const { return person_start_.size() - 1; }

  // Requires id < size(). The views live as long as the Roster.
  PersonView View(EnrollmentId id) const;
  // The same without the parts not asked for (left empty): names, birth date,
  // sex and insurer always. Cheaper for comparing a few fields of many.
  struct ViewParts {
    bool member = true;
    bool address = true;
  };
  PersonView View(EnrollmentId id, ViewParts parts) const;
  EnrollmentInfo Info(EnrollmentId id) const;
  PersonId PersonOf(EnrollmentId id) const {
    return records_[id.value()].person;
  }

  // The person's enrollments sorted by qualified_from (then by id).
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
  // kNoEnrollment. The first call builds a lookup table (4 bytes per
  // enrollment); thread-safe.
  EnrollmentId Find(std::string_view insurer_number, std::string_view symbol,
                    std::string_view number, std::string_view branch,
                    PackedDate qualified_from) const;

  // Term frequencies over the persons, each by its latest enrollment: the
  // share of persons with this kana key (loose kanji key), 0 for an empty or
  // unknown one, and the chance that two persons share one.
  double KanaNameFrequency(std::string_view kana_key) const;
  double KanjiNameFrequency(std::string_view kanji_loose_key) const;
  double KanaNameCollision() const;
  double KanjiNameCollision() const;
  // Other persons with the same kana key and birth date as `person` (by
  // their latest enrollments), at most 65,535.
  int Namesakes(PersonId person) const;

  const RosterCounts& counts() const { return counts_; }
  // "<16 hex digits of an order-independent content hash>-<rows>".
  const std::string& version() const { return version_; }
  // Bytes of the records, blobs and person tables.
  size_t MemoryBytes() const;

  const EnrollmentRecord& record(EnrollmentId id) const {
    return records_[id.value()];
  }
  // The insurer digits of table entry `index`.
  std::string_view Insurer(uint16_t index) const;

 private:
  friend class RosterBuilder;
  friend class RosterFile;
  Roster() = default;
  // The member entry of `id` (after its length prefix).
  const char* MemberEntry(EnrollmentId id) const;
  // The enrollment key hash of `id`, as RowKey computes it from a row.
  uint64_t KeyHashOf(EnrollmentId id) const;
  EnrollmentId FindKey(uint64_t hash, std::string_view insurer,
                       std::string_view member_key, PackedDate from) const;
  void BuildKeyTable() const;

  Column<EnrollmentRecord> records_;
  Column<char> names_;            // name tuples, 2-byte aligned
  Column<char> addresses_;        // address tuples; 0: none
  Column<char> raw_names_;        // raw names not rebuilt from the keys
  Column<RawNamesRow> raw_rows_;  // by id
  Column<char> members_;          // member entries in enrollment order
  // Offset in members_ of every kMemberStride-th enrollment's entry.
  Column<uint64_t> member_offsets_;
  Column<uint32_t> insurer_offsets_;  // insurer table: entry i is
  Column<char> insurer_text_;         // [offsets[i], offsets[i + 1])
  Column<uint32_t> person_start_;     // person_count() + 1 offsets
  Column<EnrollmentId> person_enrollments_;
  NameCounts kana_counts_, kanji_counts_;
  Column<uint16_t> namesakes_;  // by person
  RosterCounts counts_;
  std::string version_;
  // What the arrays view when they are mapped from a roster file.
  std::shared_ptr<const void> mapping_;
  // Enrollments sorted by key hash, for Find(); built on first use.
  mutable absl::once_flag key_table_once_;
  mutable std::vector<EnrollmentId> key_table_;
};

// Member entries are located through an offset every kMemberStride
// enrollments and skipped to from there.
inline constexpr uint32_t kMemberStride = 8;

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

  // A row validated and encoded, not yet added. Encode() is the expensive
  // half of Add() and touches no builder state, so that a loader may encode
  // rows on several threads and add them in order.
  struct EncodedRow;
  // Validates and normalizes `row` as Add() does. Thread-safe.
  static absl::StatusOr<EncodedRow> Encode(const RosterRow& row);
  // Adds an encoded row: AlreadyExists for a second row with the same key.
  absl::Status AddEncoded(EncodedRow& row);
  // The key of `row` alone (enough for a delete), validated as Add() does.
  // Thread-safe.
  static absl::StatusOr<EncodedRow> EncodeKey(const RosterRow& row);
  // Apply() of a row from Encode() (an upsert) or EncodeKey() (a delete).
  absl::Status ApplyEncoded(DeltaOp op, EncodedRow& row);

  // Applies one delta row: an upsert replaces the enrollment with the same key
  // or adds it; a delete removes it (a missing key is counted, not an error).
  absl::Status Apply(DeltaOp op, const RosterRow& row);

  const DeltaStats& delta_stats() const { return delta_stats_; }
  size_t size() const;

  // Groups persons, counts, hashes. FailedPrecondition if called twice.
  absl::StatusOr<std::shared_ptr<const Roster>> Build();

 private:
  absl::Status Insert(EncodedRow& row);
  EnrollmentId FindKey(uint64_t hash, std::string_view insurer,
                       std::string_view member_key, PackedDate from) const;
  absl::StatusOr<std::shared_ptr<const Roster>> Finish();
  void GroupPersons(Roster& roster);
  static void Count(Roster& roster);
  static void CountNames(Roster& roster);

  // Rows so far: records, member entries (in order), the interned blobs.
  std::vector<EnrollmentRecord> records_;
  std::vector<char> names_, addresses_, raw_names_;
  std::vector<RawNamesRow> raw_rows_;
  std::string members_;
  std::vector<uint64_t> member_offsets_;
  std::vector<std::string> insurers_;
  absl::flat_hash_map<std::string, uint16_t> insurer_index_;
  std::unique_ptr<BlobInterner<2>> name_interner_;
  std::unique_ptr<BlobInterner<1>> address_interner_, raw_interner_;
  // Key hash → id (a second key with one hash, a 2^-64 event, goes to the
  // list).
  absl::flat_hash_map<uint64_t, EnrollmentId> by_key_;
  std::vector<std::pair<uint64_t, EnrollmentId>> key_collisions_;
  std::vector<bool> deleted_;
  int64_t deleted_count_ = 0;
  bool built_ = false;
  DeltaStats delta_stats_;
};

struct RosterBuilder::EncodedRow {
  EnrollmentRecord record;  // name, address, insurer and person unset
  std::string insurer;      // digits
  std::string member_key;
  uint64_t key_hash = 0;
  // roster_columns.h encodings; raw_names empty when both are rebuilt.
  std::string name, address, member, raw_names;
};

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_ROSTER_H_
