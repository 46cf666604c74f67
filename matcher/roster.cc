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

// ---- Roster ----

namespace {

// The member entry of enrollment `id`: from the sampled offset
// of its stride, skipping the entries before it.
const char* MemberEntryAt(const char* members, const uint64_t* offsets,
                          uint32_t id) {
  const char* p = members + offsets[id / kMemberStride];
  for (uint32_t k = id % kMemberStride; k > 0; --k) p = SkipMember(p);
  return p;
}

}  // namespace

Roster::~Roster() = default;

const char* Roster::MemberEntry(EnrollmentId id) const {
  return MemberEntryAt(members_.data(), member_offsets_.data(), id.value());
}

std::string_view Roster::Insurer(uint16_t index) const {
  const uint32_t begin = insurer_offsets_[index];
  return {insurer_text_.data() + begin, insurer_offsets_[index + 1] - begin};
}

PersonView Roster::View(EnrollmentId id) const { return View(id, {}); }

PersonView Roster::View(EnrollmentId id, ViewParts parts) const {
  const EnrollmentRecord& r = records_[id.value()];
  PersonView v;
  DecodeNameView(names_.data() + size_t{r.name} * 2, &v);
  if (parts.address) DecodeAddress(addresses_.data() + r.address, &v);
  v.birth_date = r.birth_date;
  v.sex = r.sex;
  v.insurer_number = Insurer(r.insurer);
  if (parts.member) {
    const MemberView m = DecodeMember(MemberEntry(id), v.insurer_number);
    v.member_key = m.member_key;
    v.member_number = m.member_number;
  }
  return v;
}

EnrollmentInfo Roster::Info(EnrollmentId id) const {
  const EnrollmentRecord& r = records_[id.value()];
  EnrollmentInfo info;
  const MemberView m = DecodeMember(MemberEntry(id), Insurer(r.insurer));
  info.insurer_number = m.raw_insurer;
  info.symbol = m.raw_symbol;
  info.number = m.raw_number;
  info.branch = m.raw_branch;
  PersonView v;
  DecodeNameView(names_.data() + size_t{r.name} * 2, &v);
  std::string_view kanji, kana;
  const RawForm kanji_form = KanjiForm(r.raw_forms);
  const RawForm kana_form = KanaForm(r.raw_forms);
  if (kanji_form == kRawExplicit || kana_form == kRawExplicit) {
    auto it = std::lower_bound(
        raw_rows_.span().begin(), raw_rows_.span().end(), id,
        [](const RawNamesRow& row, EnrollmentId x) { return row.id < x; });
    DecodeRawNames(raw_names_.data() + it->offset, &kanji, &kana);
  }
  info.name_kanji =
      kanji_form == kRawExplicit
          ? std::string(kanji)
          : RebuildRaw(kanji_form, v.kanji_key, v.kanji_surname.size());
  info.name_kana =
      kana_form == kRawExplicit
          ? std::string(kana)
          : RebuildRaw(kana_form, v.kana_key, v.kana_surname.size());
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
  std::span<const EnrollmentId> list = Enrollments(PersonOf(id));
  auto it = std::find(list.begin(), list.end(), id);
  return it == list.begin() || it == list.end() ? kNoEnrollment : *(it - 1);
}

EnrollmentId Roster::Next(EnrollmentId id) const {
  std::span<const EnrollmentId> list = Enrollments(PersonOf(id));
  auto it = std::find(list.begin(), list.end(), id);
  return it == list.end() || it + 1 == list.end() ? kNoEnrollment : *(it + 1);
}

uint64_t Roster::KeyHashOf(EnrollmentId id) const {
  const EnrollmentRecord& r = records_[id.value()];
  const std::string_view insurer = Insurer(r.insurer);
  return KeyHash(insurer, DecodeMember(MemberEntry(id), insurer).member_key,
                 r.qualified_from);
}

void Roster::BuildKeyTable() const {
  std::vector<std::pair<uint64_t, EnrollmentId>> keyed(size());
  for (uint32_t i = 0; i < size(); ++i) {
    keyed[i] = {KeyHashOf(EnrollmentId(i)), EnrollmentId(i)};
  }
  std::sort(keyed.begin(), keyed.end());
  key_table_.reserve(keyed.size());
  for (const auto& [hash, id] : keyed) key_table_.push_back(id);
}

EnrollmentId Roster::FindKey(uint64_t hash, std::string_view insurer,
                             std::string_view member_key,
                             PackedDate from) const {
  absl::call_once(key_table_once_, &Roster::BuildKeyTable, this);
  auto it = std::lower_bound(
      key_table_.begin(), key_table_.end(), hash,
      [&](EnrollmentId id, uint64_t h) { return KeyHashOf(id) < h; });
  for (; it != key_table_.end() && KeyHashOf(*it) == hash; ++it) {
    const EnrollmentRecord& r = records_[it->value()];
    const std::string_view digits = Insurer(r.insurer);
    if (r.qualified_from == from && digits == insurer &&
        DecodeMember(MemberEntry(*it), digits).member_key == member_key) {
      return *it;
    }
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

namespace {

double Frequency(const NameCounts& counts, std::string_view key) {
  if (key.empty() || counts.total() == 0) return 0;
  return counts.Count(HashBytes(key)) / counts.total();
}

double Collision(const NameCounts& counts) {
  const double total = counts.total();
  return total == 0 ? 0 : counts.sum_of_squares() / (total * total);
}

}  // namespace

double Roster::KanaNameFrequency(std::string_view kana_key) const {
  return Frequency(kana_counts_, kana_key);
}
double Roster::KanjiNameFrequency(std::string_view kanji_loose_key) const {
  return Frequency(kanji_counts_, kanji_loose_key);
}
double Roster::KanaNameCollision() const { return Collision(kana_counts_); }
double Roster::KanjiNameCollision() const { return Collision(kanji_counts_); }

int Roster::Namesakes(PersonId person) const {
  return person.value() < namesakes_.size() ? namesakes_[person.value()] : 0;
}

size_t Roster::MemoryBytes() const {
  return records_.bytes() + names_.bytes() + addresses_.bytes() +
         raw_names_.bytes() + raw_rows_.bytes() + members_.bytes() +
         member_offsets_.bytes() + insurer_offsets_.bytes() +
         insurer_text_.bytes() + person_start_.bytes() +
         person_enrollments_.bytes() + kana_counts_.MemoryBytes() +
         kanji_counts_.MemoryBytes() + namesakes_.bytes() +
         key_table_.capacity() * 4;
}

// ---- RosterBuilder ----

namespace {

template <typename T>
std::vector<T> Copy(const Column<T>& column) {
  return column.ToVector();
}

}  // namespace

RosterBuilder::RosterBuilder()
    : name_interner_(std::make_unique<BlobInterner<2>>(&names_)),
      address_interner_(std::make_unique<BlobInterner<1>>(&addresses_)),
      raw_interner_(std::make_unique<BlobInterner<1>>(&raw_names_)) {
  uint32_t ref = 0;
  std::string empty;
  EncodeAddress("", "", "", &empty);
  address_interner_->Intern(empty, &ref);  // ref 0: no address
}

RosterBuilder::RosterBuilder(const Roster& base)
    : records_(Copy(base.records_)),
      names_(Copy(base.names_)),
      addresses_(Copy(base.addresses_)),
      raw_names_(Copy(base.raw_names_)),
      raw_rows_(Copy(base.raw_rows_)),
      members_(base.members_.data(), base.members_.size()),
      member_offsets_(Copy(base.member_offsets_)),
      name_interner_(std::make_unique<BlobInterner<2>>(&names_)),
      address_interner_(std::make_unique<BlobInterner<1>>(&addresses_)),
      raw_interner_(std::make_unique<BlobInterner<1>>(&raw_names_)) {
  for (size_t i = 0; i + 1 < base.insurer_offsets_.size(); ++i) {
    insurers_.emplace_back(base.Insurer(static_cast<uint16_t>(i)));
    insurer_index_[insurers_.back()] = static_cast<uint16_t>(i);
  }
  by_key_.reserve(base.size());
  for (uint32_t i = 0; i < base.size(); ++i) {
    const EnrollmentId id(i);
    if (!by_key_.emplace(base.KeyHashOf(id), id).second) {
      key_collisions_.emplace_back(base.KeyHashOf(id), id);
    }
  }
  deleted_.assign(base.size(), false);
}

RosterBuilder::~RosterBuilder() = default;

size_t RosterBuilder::size() const { return records_.size() - deleted_count_; }

absl::StatusOr<RosterBuilder::EncodedRow> RosterBuilder::Encode(
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

  EncodedRow out;
  out.record.birth_date = birth;
  out.record.sex = sex;
  out.record.qualified_from = key.from;
  out.record.qualified_until = until;
  NameFields name;
  name.kanji_key = p.kanji_key;
  name.kanji_loose_key = p.kanji_loose_key;
  name.kana_key = p.kana_key;
  name.kana_loose_key = p.kana_loose_key;
  name.kanji_surname_bytes = PrefixBytes(p.kanji_surname);
  name.kana_surname_bytes = PrefixBytes(p.kana_surname);
  name.wildcard_count = p.wildcard_count;
  EncodeName(name, &out.name);
  const RawForm kanji_form =
      RawFormOf(row.name_kanji, p.kanji_key, name.kanji_surname_bytes);
  const RawForm kana_form =
      RawFormOf(row.name_kana, p.kana_key, name.kana_surname_bytes);
  out.record.raw_forms = RawForms(kanji_form, kana_form);
  if (kanji_form == kRawExplicit || kana_form == kRawExplicit) {
    EncodeRawNames(kanji_form == kRawExplicit ? row.name_kanji : "",
                   kana_form == kRawExplicit ? row.name_kana : "",
                   &out.raw_names);
  }
  EncodeAddress(p.postal_code, p.address_key, p.municipality, &out.address);
  EncodeMember({.member_key = key.member_key,
                .insurer = key.insurer,
                .raw_insurer = row.insurer_number,
                .raw_symbol = row.symbol,
                .raw_number = row.number,
                .raw_branch = row.branch},
               &out.member);
  out.key_hash = key.hash;
  out.insurer = std::move(key.insurer);
  out.member_key = std::move(key.member_key);
  return out;
}

absl::Status RosterBuilder::Insert(EncodedRow& row) {
  EnrollmentRecord& r = row.record;
  auto [it, added] = insurer_index_.try_emplace(
      row.insurer, static_cast<uint16_t>(insurers_.size()));
  if (added) {
    if (insurers_.size() > 0xFFFF) {
      insurer_index_.erase(it);
      return absl::ResourceExhaustedError("more than 65,536 insurers");
    }
    insurers_.push_back(row.insurer);
  }
  r.insurer = it->second;
  if (!name_interner_->Intern(row.name, &r.name) ||
      !address_interner_->Intern(row.address, &r.address)) {
    return absl::ResourceExhaustedError(
        "roster names or addresses exceed their blob (8 or 4 GiB)");
  }
  const auto id = EnrollmentId(static_cast<uint32_t>(records_.size()));
  if (!row.raw_names.empty()) {
    uint32_t offset = 0;
    if (!raw_interner_->Intern(row.raw_names, &offset)) {
      return absl::ResourceExhaustedError("raw roster names exceed 4 GiB");
    }
    raw_rows_.push_back({id, offset});
  }
  if (id.value() % kMemberStride == 0) {
    member_offsets_.push_back(members_.size());
  }
  members_.append(row.member);
  records_.push_back(r);
  deleted_.push_back(false);
  if (!by_key_.emplace(row.key_hash, id).second) {
    key_collisions_.emplace_back(row.key_hash, id);
  }
  return absl::OkStatus();
}

EnrollmentId RosterBuilder::FindKey(uint64_t hash, std::string_view insurer,
                                    std::string_view member_key,
                                    PackedDate from) const {
  auto matches = [&](EnrollmentId id) {
    const EnrollmentRecord& r = records_[id.value()];
    if (r.qualified_from != from || insurers_[r.insurer] != insurer) {
      return false;
    }
    const char* entry =
        MemberEntryAt(members_.data(), member_offsets_.data(), id.value());
    return DecodeMember(entry, insurer).member_key == member_key;
  };
  auto it = by_key_.find(hash);
  if (it != by_key_.end() && matches(it->second)) return it->second;
  for (const auto& [h, id] : key_collisions_) {
    if (h == hash && matches(id)) return id;
  }
  return kNoEnrollment;
}

absl::Status RosterBuilder::AddEncoded(EncodedRow& row) {
  if (built_) return absl::FailedPreconditionError("roster already built");
  if (FindKey(row.key_hash, row.insurer, row.member_key,
              row.record.qualified_from) != kNoEnrollment) {
    return absl::AlreadyExistsError("duplicate enrollment key");
  }
  return Insert(row);
}

absl::Status RosterBuilder::Add(const RosterRow& row) {
  if (built_) return absl::FailedPreconditionError("roster already built");
  ASSIGN_OR_RETURN(KeyParts key, RowKey(row));
  if (FindKey(key.hash, key.insurer, key.member_key, key.from) !=
      kNoEnrollment) {
    return absl::AlreadyExistsError("duplicate enrollment key");
  }
  ASSIGN_OR_RETURN(EncodedRow encoded, Encode(row));
  return Insert(encoded);
}

absl::StatusOr<RosterBuilder::EncodedRow> RosterBuilder::EncodeKey(
    const RosterRow& row) {
  ASSIGN_OR_RETURN(KeyParts key, RowKey(row));
  EncodedRow out;
  out.record.qualified_from = key.from;
  out.key_hash = key.hash;
  out.insurer = std::move(key.insurer);
  out.member_key = std::move(key.member_key);
  return out;
}

absl::Status RosterBuilder::Apply(DeltaOp op, const RosterRow& row) {
  if (built_) return absl::FailedPreconditionError("roster already built");
  ASSIGN_OR_RETURN(EncodedRow encoded,
                   op == DeltaOp::kUpsert ? Encode(row) : EncodeKey(row));
  return ApplyEncoded(op, encoded);
}

absl::Status RosterBuilder::ApplyEncoded(DeltaOp op, EncodedRow& row) {
  if (built_) return absl::FailedPreconditionError("roster already built");
  EnrollmentId old = FindKey(row.key_hash, row.insurer, row.member_key,
                             row.record.qualified_from);
  if (old != kNoEnrollment && deleted_[old.value()]) old = kNoEnrollment;
  // The key maps to the new row, if any, from here on.
  if (old != kNoEnrollment) by_key_.erase(row.key_hash);
  if (op == DeltaOp::kUpsert) {
    if (absl::Status inserted = Insert(row); !inserted.ok()) {
      if (old != kNoEnrollment) by_key_.emplace(row.key_hash, old);
      return inserted;
    }
  }
  if (old != kNoEnrollment) {
    // The deleted slot is dropped by Finish().
    deleted_[old.value()] = true;
    ++deleted_count_;
  }
  if (op == DeltaOp::kDelete) {
    ++(old == kNoEnrollment ? delta_stats_.delete_not_found
                            : delta_stats_.deleted);
    return absl::OkStatus();
  }
  ++(old == kNoEnrollment ? delta_stats_.inserted : delta_stats_.updated);
  return absl::OkStatus();
}

// Enrollments of one person: see person_linkage.h.
void RosterBuilder::GroupPersons(Roster& r) {
  const auto n = static_cast<uint32_t>(r.size());
  const PersonLinks links = LinkPersons(r);
  const std::vector<uint32_t>& person = links.person_of;
  const uint32_t persons = links.persons;
  // Each person's enrollments, sorted by period.
  std::vector<EnrollmentRecord> records = r.records_.Release();
  std::vector<uint32_t> start(persons + 1, 0);
  for (uint32_t id = 0; id < n; ++id) {
    records[id].person = PersonId(person[id]);
    ++start[person[id] + 1];
  }
  for (uint32_t p = 0; p < persons; ++p) start[p + 1] += start[p];
  std::vector<EnrollmentId> list(n);
  std::vector<uint32_t> fill(start.begin(), start.end() - 1);
  for (uint32_t id = 0; id < n; ++id) {
    list[fill[person[id]]++] = EnrollmentId(id);
  }
  for (uint32_t p = 0; p < persons; ++p) {
    std::sort(list.begin() + start[p], list.begin() + start[p + 1],
              [&](EnrollmentId a, EnrollmentId b) {
                const PackedDate x = records[a.value()].qualified_from;
                const PackedDate y = records[b.value()].qualified_from;
                return x != y ? x < y : a < b;
              });
  }
  r.records_ = Column<EnrollmentRecord>(std::move(records));
  r.person_start_ = Column<uint32_t>(std::move(start));
  r.person_enrollments_ = Column<EnrollmentId>(std::move(list));
}

// Drops deleted rows, groups persons, counts and hashes.
absl::StatusOr<std::shared_ptr<const Roster>> RosterBuilder::Finish() {
  if (deleted_count_ > 0) {
    std::vector<EnrollmentRecord> kept;
    std::string members;
    std::vector<uint64_t> offsets;
    std::vector<RawNamesRow> raw_rows;
    kept.reserve(records_.size() - deleted_count_);
    const char* p = members_.data();
    size_t raw = 0;
    for (size_t i = 0; i < records_.size(); ++i) {
      const char* next = SkipMember(p);
      const bool has_raw =
          raw < raw_rows_.size() && raw_rows_[raw].id.value() == i;
      if (!deleted_[i]) {
        const auto id = EnrollmentId(static_cast<uint32_t>(kept.size()));
        if (id.value() % kMemberStride == 0) offsets.push_back(members.size());
        members.append(p, next);
        kept.push_back(records_[i]);
        if (has_raw) raw_rows.push_back({id, raw_rows_[raw].offset});
      }
      raw += has_raw;
      p = next;
    }
    records_ = std::move(kept);
    raw_rows_ = std::move(raw_rows);
    members_ = std::move(members);
    member_offsets_ = std::move(offsets);
  }
  by_key_ = {};
  key_collisions_ = {};
  deleted_ = {};
  name_interner_.reset();
  address_interner_.reset();
  raw_interner_.reset();
  if (records_.size() >= kNoEnrollment.value()) {
    return absl::ResourceExhaustedError("too many enrollments");
  }

  std::unique_ptr<Roster> out(new Roster());
  Roster& r = *out;
  names_.shrink_to_fit();
  addresses_.shrink_to_fit();
  r.names_ = Column<char>(std::move(names_));
  r.addresses_ = Column<char>(std::move(addresses_));
  raw_names_.shrink_to_fit();
  raw_rows_.shrink_to_fit();
  r.raw_names_ = Column<char>(std::move(raw_names_));
  r.raw_rows_ = Column<RawNamesRow>(std::move(raw_rows_));
  r.members_ =
      Column<char>(std::vector<char>(members_.begin(), members_.end()));
  members_ = {};
  member_offsets_.shrink_to_fit();
  r.member_offsets_ = Column<uint64_t>(std::move(member_offsets_));
  std::vector<uint32_t> insurer_offsets{0};
  std::vector<char> insurer_text;
  for (const std::string& digits : insurers_) {
    insurer_text.insert(insurer_text.end(), digits.begin(), digits.end());
    insurer_offsets.push_back(static_cast<uint32_t>(insurer_text.size()));
  }
  r.insurer_offsets_ = Column<uint32_t>(std::move(insurer_offsets));
  r.insurer_text_ = Column<char>(std::move(insurer_text));
  records_.shrink_to_fit();
  r.records_ = Column<EnrollmentRecord>(std::move(records_));
  GroupPersons(r);
  CountNames(r);
  Count(r);
  return std::shared_ptr<const Roster>(std::move(out));
}

// Name frequencies and namesakes, each person by its latest enrollment.
void RosterBuilder::CountNames(Roster& r) {
  const auto persons = static_cast<uint32_t>(r.person_count());
  std::vector<uint64_t> kana, kanji;
  std::vector<std::pair<uint64_t, uint32_t>> by_name_and_birth;
  kana.reserve(persons);
  kanji.reserve(persons);
  by_name_and_birth.reserve(persons);
  for (uint32_t p = 0; p < persons; ++p) {
    const std::span<const EnrollmentId> list = r.Enrollments(PersonId(p));
    if (list.empty()) continue;
    const PersonView v = r.View(list.back());
    if (!v.kana_key.empty()) kana.push_back(HashBytes(v.kana_key));
    if (!v.kanji_loose_key.empty()) {
      kanji.push_back(HashBytes(v.kanji_loose_key));
    }
    if (!v.kana_key.empty() && v.birth_date != 0) {
      by_name_and_birth.emplace_back(
          HashMix(HashBytes(v.kana_key), v.birth_date), p);
    }
  }
  r.kana_counts_ = NameCounts::Build(std::move(kana));
  r.kanji_counts_ = NameCounts::Build(std::move(kanji));
  std::sort(by_name_and_birth.begin(), by_name_and_birth.end());
  std::vector<uint16_t> namesakes(persons, 0);
  for (size_t i = 0; i < by_name_and_birth.size();) {
    size_t j = i + 1;
    while (j < by_name_and_birth.size() &&
           by_name_and_birth[j].first == by_name_and_birth[i].first) {
      ++j;
    }
    const auto others =
        static_cast<uint16_t>(std::min<size_t>(j - i - 1, 0xFFFF));
    for (size_t k = i; k < j; ++k)
      namesakes[by_name_and_birth[k].second] = others;
    i = j;
  }
  r.namesakes_ = Column<uint16_t>(std::move(namesakes));
}

// Counts, and the version: an order-independent hash of every row's values.
void RosterBuilder::Count(Roster& r) {
  std::vector<bool> insurer_used(r.insurer_offsets_.size(), false);
  uint64_t content = 0;
  for (uint32_t i = 0; i < r.size(); ++i) {
    const EnrollmentRecord& e = r.records_[i];
    const PersonView v = r.View(EnrollmentId(i));
    const EnrollmentInfo info = r.Info(EnrollmentId(i));
    if (v.wildcard_count > 0) ++r.counts_.rows_with_wildcards;
    insurer_used[e.insurer] = true;
    uint64_t h = 0;
    for (std::string_view text :
         {info.insurer_number, info.symbol, info.number, info.branch,
          std::string_view(info.name_kanji), std::string_view(info.name_kana),
          v.postal_code, v.address_key}) {
      h = HashBytes(text, h);
    }
    h = HashMix(HashMix(HashMix(h, e.birth_date), e.qualified_from),
                e.qualified_until * 4 + static_cast<int>(e.sex));
    content += h;  // order-independent
  }
  r.counts_.rows = static_cast<int64_t>(r.size());
  r.counts_.persons = static_cast<int64_t>(r.person_count());
  r.counts_.insurers =
      std::count(insurer_used.begin(), insurer_used.end(), true);
  r.version_ = absl::StrFormat("%016x-%d", content, r.counts_.rows);
}

absl::StatusOr<std::shared_ptr<const Roster>> RosterBuilder::Build() {
  if (built_) return absl::FailedPreconditionError("roster already built");
  built_ = true;
  return Finish();
}

}  // namespace kuromaru::matcher
