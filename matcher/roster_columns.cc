#include "matcher/roster_columns.h"

#include "absl/hash/hash.h"

namespace kuromaru::matcher {
namespace {

constexpr std::string_view kWideSpace = "\u3000";

enum NameFlags : uint8_t {
  kKanjiLooseDiffers = 1 << 0,
  kKanaLooseDiffers = 1 << 1,
  kHasWildcards = 1 << 2,  // a wildcard count byte follows the header
};

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
  uint8_t flags = 0;
  if (f.kanji_loose_key != f.kanji_key) flags |= kKanjiLooseDiffers;
  if (f.kana_loose_key != f.kana_key) flags |= kKanaLooseDiffers;
  if (f.wildcard_count > 0) flags |= kHasWildcards;
  out->push_back(static_cast<char>(flags));
  out->push_back(
      static_cast<char>(std::min<size_t>(f.kanji_surname_bytes, 255)));
  out->push_back(
      static_cast<char>(std::min<size_t>(f.kana_surname_bytes, 255)));
  if (flags & kHasWildcards) {
    out->push_back(static_cast<char>(std::min(f.wildcard_count, 255)));
  }
  PutString(f.kanji_key, out);
  if (flags & kKanjiLooseDiffers) PutString(f.kanji_loose_key, out);
  PutString(f.kana_key, out);
  if (flags & kKanaLooseDiffers) PutString(f.kana_loose_key, out);
}

void DecodeNameView(const char* p, PersonView* v) {
  const auto flags = static_cast<uint8_t>(p[0]);
  const auto kanji_surname = static_cast<uint8_t>(p[1]);
  const auto kana_surname = static_cast<uint8_t>(p[2]);
  p += 3;
  v->wildcard_count = 0;
  if (flags & kHasWildcards) v->wildcard_count = static_cast<uint8_t>(*p++);
  v->kanji_key = GetString(&p);
  v->kanji_loose_key =
      (flags & kKanjiLooseDiffers) ? GetString(&p) : v->kanji_key;
  v->kana_key = GetString(&p);
  v->kana_loose_key = (flags & kKanaLooseDiffers) ? GetString(&p) : v->kana_key;
  v->kanji_surname = v->kanji_key.substr(0, kanji_surname);
  v->kana_surname = v->kana_key.substr(0, kana_surname);
}

RawForm RawFormOf(std::string_view raw, std::string_view key, size_t surname) {
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

std::string RebuildRaw(RawForm form, std::string_view key, size_t surname) {
  std::string out(key.substr(0, surname));
  if (form == kRawKeyWideSpace) out.append(kWideSpace);
  if (form == kRawKeyAsciiSpace) out.push_back(' ');
  out.append(key.substr(surname));
  return out;
}

void EncodeRawNames(std::string_view kanji, std::string_view kana,
                    std::string* out) {
  PutString(kanji, out);
  PutString(kana, out);
}

void DecodeRawNames(const char* p, std::string_view* kanji,
                    std::string_view* kana) {
  *kanji = GetString(&p);
  *kana = GetString(&p);
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

// A member entry: a varint of the member key's length << 2 | flags, the key,
// then the raw values that differ from it.
void EncodeMember(const MemberFields& f, std::string* out) {
  std::string_view symbol, number, branch;
  SplitMember(f.member_key, &symbol, &number, &branch);
  uint64_t flags = 0;
  if (f.raw_insurer != f.insurer) flags |= kRawInsurerDiffers;
  if (f.raw_symbol != symbol || f.raw_number != number ||
      f.raw_branch != branch) {
    flags |= kRawPartsDiffer;
  }
  PutVarint(f.member_key.size() << 2 | flags, out);
  out->append(f.member_key);
  if (flags & kRawInsurerDiffers) PutString(f.raw_insurer, out);
  if (flags & kRawPartsDiffer) {
    PutString(f.raw_symbol, out);
    PutString(f.raw_number, out);
    PutString(f.raw_branch, out);
  }
}

MemberView DecodeMember(const char* p, std::string_view insurer) {
  MemberView m;
  const uint64_t head = GetVarint(&p);
  m.member_key = std::string_view(p, head >> 2);
  p += head >> 2;
  SplitMember(m.member_key, &m.raw_symbol, &m.member_number, &m.raw_branch);
  m.raw_number = m.member_number;
  m.raw_insurer = (head & kRawInsurerDiffers) ? GetString(&p) : insurer;
  if (head & kRawPartsDiffer) {
    m.raw_symbol = GetString(&p);
    m.raw_number = GetString(&p);
    m.raw_branch = GetString(&p);
  }
  return m;
}

const char* SkipMember(const char* p) {
  const uint64_t head = GetVarint(&p);
  p += head >> 2;
  if (head & kRawInsurerDiffers) GetString(&p);
  if (head & kRawPartsDiffer) {
    GetString(&p);
    GetString(&p);
    GetString(&p);
  }
  return p;
}

}  // namespace kuromaru::matcher
