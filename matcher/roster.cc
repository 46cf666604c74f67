#include "matcher/roster.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "matcher/normalize_person.h"
#include "matcher/person_linkage.h"
#include "normalizer/date.h"
#include "normalizer/insurer.h"
#include "normalizer/member.h"
#include "normalizer/name_kanji.h"
#include "normalizer/text.h"
#include "normalizer/utf8.h"

namespace kuromaru::matcher {
namespace {

namespace nz = ::kuromaru::normalizer;

absl::Status RowError(std::string_view field, std::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(field), ": ", std::string(reason)));
}

// YYYYMMDD in ASCII digits and a real date.
absl::StatusOr<PackedDate> StrictDate(std::string_view field,
                                      std::string_view text) {
  text = nz::TrimSpaces(text);
  if (text.size() != 8 || !std::all_of(text.begin(), text.end(), [](char c) {
        return c >= '0' && c <= '9';
      })) {
    return RowError(field, "not YYYYMMDD");
  }
  PackedDate v = 0;
  for (char c : text) v = v * 10 + static_cast<PackedDate>(c - '0');
  nz::Date d{static_cast<int>(v / 10000), static_cast<int>(v / 100 % 100),
             static_cast<int>(v % 100)};
  if (!nz::IsValidDate(d)) return RowError(field, "not a valid date");
  return v;
}

struct KeyParts {
  std::string insurer;
  std::string member_key;
  PackedDate from = 0;
  uint64_t hash = 0;
};

uint64_t KeyHash(std::string_view insurer, std::string_view member_key,
                 PackedDate from) {
  return HashMix(HashBytes(member_key, HashBytes(insurer)), from);
}

// The enrollment key of a row: enough for a delete.
absl::StatusOr<KeyParts> RowKey(const RosterRow& row) {
  if (nz::TrimSpaces(row.insurer_number).empty()) {
    return RowError("insurer_number", "missing");
  }
  if (nz::TrimSpaces(row.number).empty()) return RowError("number", "missing");
  if (nz::TrimSpaces(row.qualified_from).empty()) {
    return RowError("qualified_from", "missing");
  }
  absl::StatusOr<nz::InsurerNumber> insurer =
      nz::ParseInsurerNumber(row.insurer_number);
  if (!insurer.ok()) {
    return RowError("insurer_number", std::string(insurer.status().message()));
  }
  if (insurer->sentinel) return RowError("insurer_number", "不詳 sentinel");
  absl::StatusOr<nz::MemberKey> member =
      nz::NormalizeMember(row.symbol, row.number, row.branch);
  if (!member.ok())
    return RowError("number", std::string(member.status().message()));
  KeyParts key;
  absl::StatusOr<PackedDate> from =
      StrictDate("qualified_from", row.qualified_from);
  if (!from.ok()) return from.status();
  key.insurer = std::move(insurer->digits);
  key.member_key = std::move(member->key);
  key.from = *from;
  key.hash = KeyHash(key.insurer, key.member_key, key.from);
  return key;
}

// Sex as the row must give it: exactly 1 or 2.
absl::StatusOr<Sex> StrictSex(std::string_view text) {
  text = nz::TrimSpaces(text);
  if (text.empty()) return RowError("sex", "missing");
  if (text == "1") return Sex::kMale;
  if (text == "2") return Sex::kFemale;
  return RowError("sex", "not 1 or 2");
}

uint8_t PrefixBytes(std::string_view surname) {
  return static_cast<uint8_t>(std::min<size_t>(surname.size(), 255));
}

}  // namespace

// ---- StringPool ----

StringPool::StringPool() : index_(0, Hash{&data_}, Eq{&data_}) {
  data_.push_back('\0');  // offset 0: the empty string
}

std::string_view StringPool::Get(uint32_t ref) const {
  return Eq{&data_}.Str(ref);
}

size_t StringPool::Hash::operator()(uint32_t ref) const {
  return (*this)(Eq{data}.Str(ref));
}
size_t StringPool::Hash::operator()(std::string_view s) const {
  return HashBytes(s);
}
std::string_view StringPool::Eq::Str(uint32_t ref) const {
  const auto* p = reinterpret_cast<const unsigned char*>(data->data()) + ref;
  uint32_t len = 0;
  int shift = 0;
  while (*p & 0x80) {
    len |= static_cast<uint32_t>(*p++ & 0x7F) << shift;
    shift += 7;
  }
  len |= static_cast<uint32_t>(*p++) << shift;
  return {reinterpret_cast<const char*>(p), len};
}

uint32_t StringPool::Intern(std::string_view s) {
  if (s.empty()) return 0;
  auto it = index_.find(s);
  if (it != index_.end()) return *it;
  const auto ref = static_cast<uint32_t>(data_.size());
  uint32_t len = static_cast<uint32_t>(s.size());
  while (len >= 0x80) {
    data_.push_back(static_cast<char>((len & 0x7F) | 0x80));
    len >>= 7;
  }
  data_.push_back(static_cast<char>(len));
  data_.append(s.data(), s.size());
  index_.insert(ref);
  return ref;
}

void StringPool::CopyFrom(const StringPool& other) {
  index_.clear();
  data_ = other.data_;
}

void StringPool::Freeze() {
  absl::flat_hash_set<uint32_t, Hash, Eq> empty(0, Hash{&data_}, Eq{&data_});
  index_.swap(empty);
  data_.shrink_to_fit();
}

// ---- Roster ----

PersonView Roster::View(EnrollmentId id) const {
  const EnrollmentRecord& r = records_[id.value()];
  PersonView v;
  v.kanji_key = pool_.Get(r.kanji_key);
  v.kanji_loose_key = pool_.Get(r.kanji_loose_key);
  v.kanji_surname = v.kanji_key.substr(0, r.kanji_surname_bytes);
  v.wildcard_count = r.wildcard_count;
  v.kana_key = pool_.Get(r.kana_key);
  v.kana_loose_key = pool_.Get(r.kana_loose_key);
  v.kana_surname = v.kana_key.substr(0, r.kana_surname_bytes);
  v.birth_date = r.birth_date;
  v.sex = r.sex;
  v.insurer_number = pool_.Get(r.insurer);
  v.member_key = pool_.Get(r.member_key);
  v.member_number = pool_.Get(r.member_number);
  v.postal_code = pool_.Get(r.postal_code);
  v.address_key = pool_.Get(r.address_key);
  v.municipality = pool_.Get(r.municipality);
  return v;
}

EnrollmentInfo Roster::Info(EnrollmentId id) const {
  const EnrollmentRecord& r = records_[id.value()];
  EnrollmentInfo info;
  info.insurer_number = pool_.Get(r.raw_insurer);
  info.symbol = pool_.Get(r.raw_symbol);
  info.number = pool_.Get(r.raw_number);
  info.branch = pool_.Get(r.raw_branch);
  info.name_kanji = pool_.Get(r.raw_kanji);
  info.name_kana = pool_.Get(r.raw_kana);
  info.birth_date = r.birth_date;
  info.sex = r.sex;
  info.qualified_from = r.qualified_from;
  info.qualified_until = r.qualified_until;
  info.person = r.person;
  return info;
}

std::span<const EnrollmentId> Roster::Enrollments(PersonId person) const {
  const uint32_t p = person.value();
  return {person_enrollments_.data() + person_start_[p],
          person_start_[p + 1] - person_start_[p]};
}

bool Roster::CoversMonth(EnrollmentId id, PackedMonth month) const {
  const EnrollmentRecord& r = records_[id.value()];
  const PackedDate first = month * 100 + 1;
  return r.qualified_from <= first &&
         (r.qualified_until == 0 || first < r.qualified_until);
}

EnrollmentId Roster::ValidIn(PersonId person, PackedMonth month) const {
  std::span<const EnrollmentId> list = Enrollments(person);
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    if (CoversMonth(*it, month)) return *it;
  }
  return kNoEnrollment;
}

EnrollmentId Roster::Previous(EnrollmentId id) const {
  const uint32_t pos = position_[id.value()];
  if (pos == person_start_[PersonOf(id).value()]) return kNoEnrollment;
  return person_enrollments_[pos - 1];
}

EnrollmentId Roster::Next(EnrollmentId id) const {
  const uint32_t pos = position_[id.value()];
  if (pos + 1 == person_start_[PersonOf(id).value() + 1]) return kNoEnrollment;
  return person_enrollments_[pos + 1];
}

EnrollmentId Roster::FindKey(uint64_t hash, std::string_view insurer,
                             std::string_view member_key,
                             PackedDate from) const {
  auto matches = [&](EnrollmentId id) {
    const EnrollmentRecord& r = records_[id.value()];
    return r.qualified_from == from && pool_.Get(r.insurer) == insurer &&
           pool_.Get(r.member_key) == member_key;
  };
  auto it = by_key_.find(hash);
  if (it != by_key_.end() && matches(it->second)) return it->second;
  for (const auto& [h, id] : key_collisions_) {
    if (h == hash && matches(id)) return id;
  }
  return kNoEnrollment;
}

EnrollmentId Roster::Find(std::string_view insurer_number,
                          std::string_view symbol, std::string_view number,
                          std::string_view branch, PackedDate from) const {
  RosterRow row;
  row.insurer_number = insurer_number;
  row.symbol = symbol;
  row.number = number;
  row.branch = branch;
  const std::string from_text = std::to_string(from);
  row.qualified_from = from_text;
  absl::StatusOr<KeyParts> key = RowKey(row);
  if (!key.ok()) return kNoEnrollment;
  return FindKey(key->hash, key->insurer, key->member_key, key->from);
}

size_t Roster::MemoryBytes() const {
  return pool_.bytes() + records_.capacity() * sizeof(EnrollmentRecord) +
         (person_start_.capacity() + person_enrollments_.capacity() +
          position_.capacity()) *
             sizeof(uint32_t) +
         by_key_.capacity() * (sizeof(uint64_t) + sizeof(EnrollmentId) + 1);
}

// ---- RosterBuilder ----

RosterBuilder::RosterBuilder() : roster_(new Roster()) {}

RosterBuilder::RosterBuilder(const Roster& base) : roster_(new Roster()) {
  roster_->pool_.CopyFrom(base.pool_);
  roster_->records_ = base.records_;
  roster_->by_key_ = base.by_key_;
  roster_->key_collisions_ = base.key_collisions_;
  deleted_.assign(base.records_.size(), false);
}

RosterBuilder::~RosterBuilder() = default;

size_t RosterBuilder::size() const {
  return roster_ == nullptr ? 0 : roster_->records_.size() - deleted_count_;
}

absl::StatusOr<EnrollmentRecord> RosterBuilder::MakeRecord(
    const RosterRow& row) {
  ASSIGN_OR_RETURN(KeyParts key, RowKey(row));
  if (nz::TrimSpaces(row.name_kanji).empty()) {
    return RowError("name_kanji", "missing");
  }
  if (nz::TrimSpaces(row.birth_date).empty()) {
    return RowError("birth_date", "missing");
  }
  ASSIGN_OR_RETURN(PackedDate birth, StrictDate("birth_date", row.birth_date));
  ASSIGN_OR_RETURN(Sex sex, StrictSex(row.sex));
  PackedDate until = 0;
  if (!nz::TrimSpaces(row.qualified_until).empty()) {
    ASSIGN_OR_RETURN(until, StrictDate("qualified_until", row.qualified_until));
    if (until <= key.from) {
      return RowError("qualified_until", "not after qualified_from");
    }
  }
  std::vector<FieldIssue> issues;
  NormalizedPerson p =
      NormalizePerson({row.name_kanji, row.name_kana, row.birth_date, row.sex,
                       row.insurer_number, row.symbol, row.number, row.branch,
                       row.postal_code, row.address},
                      &issues);
  if (!issues.empty()) return RowError(issues[0].field, issues[0].reason);

  StringPool& pool = roster_->pool_;
  EnrollmentRecord r{};
  r.raw_insurer = pool.Intern(row.insurer_number);
  r.raw_symbol = pool.Intern(row.symbol);
  r.raw_number = pool.Intern(row.number);
  r.raw_branch = pool.Intern(row.branch);
  r.raw_kanji = pool.Intern(row.name_kanji);
  r.raw_kana = pool.Intern(row.name_kana);
  r.kanji_key = pool.Intern(p.kanji_key);
  r.kanji_loose_key = pool.Intern(p.kanji_loose_key);
  r.kana_key = pool.Intern(p.kana_key);
  r.kana_loose_key = pool.Intern(p.kana_loose_key);
  r.insurer = pool.Intern(key.insurer);
  r.member_key = pool.Intern(key.member_key);
  r.member_number = pool.Intern(p.member_number);
  r.postal_code = pool.Intern(p.postal_code);
  r.address_key = pool.Intern(p.address_key);
  r.municipality = pool.Intern(p.municipality);
  r.kanji_surname_bytes = PrefixBytes(p.kanji_surname);
  r.kana_surname_bytes = PrefixBytes(p.kana_surname);
  r.wildcard_count = static_cast<uint8_t>(std::min(p.wildcard_count, 255));
  r.sex = sex;
  r.birth_date = birth;
  r.qualified_from = key.from;
  r.qualified_until = until;
  return r;
}

void RosterBuilder::Insert(const EnrollmentRecord& record) {
  Roster& r = *roster_;
  const EnrollmentId id(static_cast<uint32_t>(r.records_.size()));
  const uint64_t hash =
      KeyHash(r.pool_.Get(record.insurer), r.pool_.Get(record.member_key),
              record.qualified_from);
  r.records_.push_back(record);
  deleted_.push_back(false);
  if (!r.by_key_.emplace(hash, id).second) {
    r.key_collisions_.emplace_back(hash, id);
  }
}

absl::Status RosterBuilder::Add(const RosterRow& row) {
  if (built_) return absl::FailedPreconditionError("roster already built");
  ASSIGN_OR_RETURN(KeyParts key, RowKey(row));
  if (roster_->FindKey(key.hash, key.insurer, key.member_key, key.from) !=
      kNoEnrollment) {
    return absl::AlreadyExistsError("duplicate enrollment key");
  }
  ASSIGN_OR_RETURN(EnrollmentRecord record, MakeRecord(row));
  Insert(record);
  return absl::OkStatus();
}

absl::Status RosterBuilder::Apply(DeltaOp op, const RosterRow& row) {
  if (built_) return absl::FailedPreconditionError("roster already built");
  ASSIGN_OR_RETURN(KeyParts key, RowKey(row));
  EnrollmentId old =
      roster_->FindKey(key.hash, key.insurer, key.member_key, key.from);
  if (old != kNoEnrollment && deleted_[old.value()]) old = kNoEnrollment;
  EnrollmentRecord record{};
  if (op == DeltaOp::kUpsert) {
    ASSIGN_OR_RETURN(record, MakeRecord(row));
  }
  if (old != kNoEnrollment) {
    // The key stays mapped to the deleted slot; Finish() re-keys.
    deleted_[old.value()] = true;
    ++deleted_count_;
    roster_->by_key_.erase(key.hash);
  }
  if (op == DeltaOp::kDelete) {
    ++(old == kNoEnrollment ? delta_stats_.delete_not_found
                            : delta_stats_.deleted);
    return absl::OkStatus();
  }
  Insert(record);
  ++(old == kNoEnrollment ? delta_stats_.inserted : delta_stats_.updated);
  return absl::OkStatus();
}

// Enrollments of one person: see person_linkage.h.
void RosterBuilder::GroupPersons() {
  Roster& r = *roster_;
  const auto n = static_cast<uint32_t>(r.records_.size());
  const PersonLinks links = LinkPersons(r);
  const std::vector<uint32_t>& person = links.person_of;
  const uint32_t persons = links.persons;
  // Each person's enrollments, sorted by period.
  r.person_start_.assign(persons + 1, 0);
  for (uint32_t id = 0; id < n; ++id) {
    r.records_[id].person = PersonId(person[id]);
    ++r.person_start_[person[id] + 1];
  }
  for (uint32_t p = 0; p < persons; ++p) {
    r.person_start_[p + 1] += r.person_start_[p];
  }
  r.person_enrollments_.resize(n);
  std::vector<uint32_t> fill(r.person_start_.begin(),
                             r.person_start_.end() - 1);
  for (uint32_t id = 0; id < n; ++id) {
    r.person_enrollments_[fill[person[id]]++] = EnrollmentId(id);
  }
  r.position_.resize(n);
  for (uint32_t p = 0; p < persons; ++p) {
    auto begin = r.person_enrollments_.begin() + r.person_start_[p];
    auto end = r.person_enrollments_.begin() + r.person_start_[p + 1];
    std::sort(begin, end, [&](EnrollmentId a, EnrollmentId b) {
      const EnrollmentRecord& x = r.record(a);
      const EnrollmentRecord& y = r.record(b);
      if (x.qualified_from != y.qualified_from) {
        return x.qualified_from < y.qualified_from;
      }
      return a < b;
    });
    for (auto it = begin; it != end; ++it) {
      r.position_[it->value()] =
          static_cast<uint32_t>(it - r.person_enrollments_.begin());
    }
  }
}

// Drops deleted rows, re-keys, counts and hashes.
void RosterBuilder::Finish() {
  Roster& r = *roster_;
  if (deleted_count_ > 0) {
    size_t out = 0;
    for (size_t i = 0; i < r.records_.size(); ++i) {
      if (!deleted_[i]) r.records_[out++] = r.records_[i];
    }
    r.records_.resize(out);
    r.by_key_.clear();
    r.key_collisions_.clear();
    for (uint32_t i = 0; i < out; ++i) {
      const EnrollmentId id(i);
      const EnrollmentRecord& e = r.records_[i];
      const uint64_t hash = KeyHash(
          r.pool_.Get(e.insurer), r.pool_.Get(e.member_key), e.qualified_from);
      if (!r.by_key_.emplace(hash, id).second) {
        r.key_collisions_.emplace_back(hash, id);
      }
    }
  }
  r.records_.shrink_to_fit();
  r.pool_.Freeze();
  GroupPersons();
  absl::flat_hash_set<std::string_view> insurers;
  uint64_t content = 0;
  for (const EnrollmentRecord& e : r.records_) {
    if (e.wildcard_count > 0) ++r.counts_.rows_with_wildcards;
    insurers.insert(r.pool_.Get(e.insurer));
    uint64_t h = 0;
    for (uint32_t ref :
         {e.raw_insurer, e.raw_symbol, e.raw_number, e.raw_branch, e.raw_kanji,
          e.raw_kana, e.postal_code, e.address_key}) {
      h = HashBytes(r.pool_.Get(ref), h);
    }
    h = HashMix(HashMix(HashMix(h, e.birth_date), e.qualified_from),
                e.qualified_until * 4 + static_cast<int>(e.sex));
    content += h;  // order-independent
  }
  r.counts_.rows = static_cast<int64_t>(r.records_.size());
  r.counts_.persons = static_cast<int64_t>(r.person_count());
  r.counts_.insurers = static_cast<int64_t>(insurers.size());
  r.version_ = absl::StrFormat("%016x-%d", content, r.counts_.rows);
}

absl::StatusOr<std::shared_ptr<const Roster>> RosterBuilder::Build() {
  if (built_ || roster_ == nullptr) {
    return absl::FailedPreconditionError("roster already built");
  }
  built_ = true;
  if (roster_->records_.size() >= kNoEnrollment.value()) {
    return absl::ResourceExhaustedError("too many enrollments");
  }
  Finish();
  return std::shared_ptr<const Roster>(std::move(roster_));
}

}  // namespace kuromaru::matcher
