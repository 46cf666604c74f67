#include "matcher/roster_columns.h"

#include "absl/hash/hash.h"

namespace kuromaru::matcher {
namespace {

// How a raw name is kept: written out, or rebuilt from its key (with a space
// at the surname, as most rosters write it).
enum RawForm : uint8_t {
  kRawExplicit = 0,
  kRawIsKey = 1,
  kRawKeyWideSpace = 2,  // U+3000 after the surname
  kRawKeyAsciiSpace = 3,
};
constexpr std::string_view kWideSpace = "\u3000";

enum NameFlags : uint8_t {
  kKanjiLooseDiffers = 1 << 4,
  kKanaLooseDiffers = 1 << 5,
};

RawForm FormOf(std::string_view raw, std::string_view key, size_t surname) {
  if (raw == key) return kRawIsKey;
  if (surname == 0 || surname >= key.size() || raw.size() <= key.size() ||
      raw.substr(0, surname) != key.substr(0, surname) ||
      raw.substr(raw.size() - (key.size() - surname)) != key.substr(surname)) {
    return kRawExplicit;
  }
  const std::string_view sep = raw.substr(surname, raw.size() - key.size());
  if (sep == kWideSpace) return kRawKeyWideSpace;
  if (sep == " ") return kRawKeyAsciiSpace;
  return kRawExplicit;
}

void Rebuild(RawForm form, std::string_view key, size_t surname,
             std::string* out) {
  out->assign(key.substr(0, surname));
  if (form == kRawKeyWideSpace) out->append(kWideSpace);
  if (form == kRawKeyAsciiSpace) out->push_back(' ');
  out->append(key.substr(surname));
}

enum MemberFlags : uint8_t {
  kRawInsurerDiffers = 1 << 0,
  kRawPartsDiffer = 1 << 1,
};

// The three parts of a member key (記号|番号|枝番; the normalizer forbids
// '|' inside a part).
void SplitMember(std::string_view key, std::string_view* symbol,
                 std::string_view* number, std::string_view* branch) {
  const size_t a = key.find('|');
  const size_t b = a == std::string_view::npos ? a : key.find('|', a + 1);
  if (b == std::string_view::npos) {
    *symbol = {};
    *number = key;
    *branch = {};
    return;
  }
  *symbol = key.substr(0, a);
  *number = key.substr(a + 1, b - a - 1);
  *branch = key.substr(b + 1);
}

}  // namespace

uint64_t HashBlobBytes(std::string_view bytes) {
  return absl::Hash<std::string_view>{}(bytes);
}

void EncodeName(const NameFields& f, std::string* out) {
  const RawForm kanji = FormOf(f.raw_kanji, f.kanji_key, f.kanji_surname_bytes);
  const RawForm kana = FormOf(f.raw_kana, f.kana_key, f.kana_surname_bytes);
  uint8_t flags = static_cast<uint8_t>(kanji | kana << 2);
  if (f.kanji_loose_key != f.kanji_key) flags |= kKanjiLooseDiffers;
  if (f.kana_loose_key != f.kana_key) flags |= kKanaLooseDiffers;
  out->push_back(static_cast<char>(flags));
  out->push_back(static_cast<char>(std::min(f.wildcard_count, 255)));
  out->push_back(
      static_cast<char>(std::min<size_t>(f.kanji_surname_bytes, 255)));
  out->push_back(
      static_cast<char>(std::min<size_t>(f.kana_surname_bytes, 255)));
  PutString(f.kanji_key, out);
  if (flags & kKanjiLooseDiffers) PutString(f.kanji_loose_key, out);
  PutString(f.kana_key, out);
  if (flags & kKanaLooseDiffers) PutString(f.kana_loose_key, out);
  if (kanji == kRawExplicit) PutString(f.raw_kanji, out);
  if (kana == kRawExplicit) PutString(f.raw_kana, out);
}

void DecodeNameView(const char* p, PersonView* v) {
  const auto flags = static_cast<uint8_t>(p[0]);
  v->wildcard_count = static_cast<uint8_t>(p[1]);
  const auto kanji_surname = static_cast<uint8_t>(p[2]);
  const auto kana_surname = static_cast<uint8_t>(p[3]);
  p += 4;
  v->kanji_key = GetString(&p);
  v->kanji_loose_key =
      (flags & kKanjiLooseDiffers) ? GetString(&p) : v->kanji_key;
  v->kana_key = GetString(&p);
  v->kana_loose_key = (flags & kKanaLooseDiffers) ? GetString(&p) : v->kana_key;
  v->kanji_surname = v->kanji_key.substr(0, kanji_surname);
  v->kana_surname = v->kana_key.substr(0, kana_surname);
}

void DecodeRawNames(const char* p, std::string* raw_kanji,
                    std::string* raw_kana) {
  const auto flags = static_cast<uint8_t>(p[0]);
  const auto kanji_surname = static_cast<uint8_t>(p[2]);
  const auto kana_surname = static_cast<uint8_t>(p[3]);
  p += 4;
  const std::string_view kanji_key = GetString(&p);
  if (flags & kKanjiLooseDiffers) GetString(&p);
  const std::string_view kana_key = GetString(&p);
  if (flags & kKanaLooseDiffers) GetString(&p);
  const auto kanji = static_cast<RawForm>(flags & 3);
  const auto kana = static_cast<RawForm>(flags >> 2 & 3);
  if (kanji == kRawExplicit) {
    raw_kanji->assign(GetString(&p));
  } else {
    Rebuild(kanji, kanji_key, kanji_surname, raw_kanji);
  }
  if (kana == kRawExplicit) {
    raw_kana->assign(GetString(&p));
  } else {
    Rebuild(kana, kana_key, kana_surname, raw_kana);
  }
}

void EncodeAddress(std::string_view postal_code, std::string_view address_key,
                   std::string_view municipality, std::string* out) {
  PutString(postal_code, out);
  PutString(address_key, out);
  if (address_key.substr(0, municipality.size()) == municipality) {
    PutVarint(municipality.size() << 1 | 1, out);
  } else {
    PutVarint(municipality.size() << 1, out);
    out->append(municipality.data(), municipality.size());
  }
}

void DecodeAddress(const char* p, PersonView* v) {
  v->postal_code = GetString(&p);
  v->address_key = GetString(&p);
  const uint64_t m = GetVarint(&p);
  if (m & 1) {
    v->municipality = v->address_key.substr(0, m >> 1);
  } else {
    v->municipality = std::string_view(p, m >> 1);
  }
}

void EncodeMember(const MemberFields& f, std::string* out) {
  std::string_view symbol, number, branch;
  SplitMember(f.member_key, &symbol, &number, &branch);
  uint8_t flags = 0;
  if (f.raw_insurer != f.insurer) flags |= kRawInsurerDiffers;
  if (f.raw_symbol != symbol || f.raw_number != number ||
      f.raw_branch != branch) {
    flags |= kRawPartsDiffer;
  }
  std::string entry;
  entry.push_back(static_cast<char>(flags));
  PutString(f.member_key, &entry);
  if (flags & kRawInsurerDiffers) PutString(f.raw_insurer, &entry);
  if (flags & kRawPartsDiffer) {
    PutString(f.raw_symbol, &entry);
    PutString(f.raw_number, &entry);
    PutString(f.raw_branch, &entry);
  }
  PutString(entry, out);
}

MemberView DecodeMember(const char* p, std::string_view insurer) {
  MemberView m;
  const auto flags = static_cast<uint8_t>(*p++);
  m.member_key = GetString(&p);
  SplitMember(m.member_key, &m.raw_symbol, &m.member_number, &m.raw_branch);
  m.raw_number = m.member_number;
  m.raw_insurer = (flags & kRawInsurerDiffers) ? GetString(&p) : insurer;
  if (flags & kRawPartsDiffer) {
    m.raw_symbol = GetString(&p);
    m.raw_number = GetString(&p);
    m.raw_branch = GetString(&p);
  }
  return m;
}

}  // namespace kuromaru::matcher
