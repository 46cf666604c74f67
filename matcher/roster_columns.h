// The storage of a roster (roster.h): arrays that either own their elements or
// view a mapped roster file, and the byte encodings of what one enrollment's
// strings become.
//
// An enrollment's strings are kept in three blobs, so that most of them are
// stored once and a row costs a few references:
//   names      interned name tuples: the kanji and kana keys, their loose
//              forms when they differ, the surname lengths, the wildcard count,
//              and the raw names unless they are the keys (with a space at the
//              surname) — a person's enrollments share one tuple
//   addresses  interned address tuples: postal code, address key, and the
//              municipality as a prefix of the key
//   members    one entry per enrollment, in enrollment order: the member key
//              (記号|番号|枝番), and the raw insurer number, 記号, 番号 and
//              枝番 only where they differ from their normalized forms
// Strings are a varint length and the bytes. Everything here is pure; the
// decoders trust their input (a roster file is checksummed before use).
#ifndef KUROMARU_MATCHER_ROSTER_COLUMNS_H_
#define KUROMARU_MATCHER_ROSTER_COLUMNS_H_

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "matcher/person.h"

namespace kuromaru::matcher {

// A read-only array: either its own vector or a view of memory that outlives
// it (a mapped roster file). Moving keeps element addresses.
template <typename T>
class Column {
 public:
  Column() = default;
  explicit Column(std::vector<T> owned)
      : owned_(std::move(owned)), view_(owned_) {}
  static Column Mapped(std::span<const T> view) {
    Column c;
    c.view_ = view;
    return c;
  }
  Column(Column&& other) noexcept
      : owned_(std::move(other.owned_)), view_(other.view_) {
    other.view_ = {};
  }
  Column& operator=(Column&& other) noexcept {
    owned_ = std::move(other.owned_);
    view_ = other.view_;
    other.view_ = {};
    return *this;
  }
  Column(const Column&) = delete;
  Column& operator=(const Column&) = delete;

  const T& operator[](size_t i) const { return view_[i]; }
  const T* data() const { return view_.data(); }
  size_t size() const { return view_.size(); }
  bool empty() const { return view_.empty(); }
  std::span<const T> span() const { return view_; }
  // Heap bytes owned (0 when mapped).
  size_t owned_bytes() const { return owned_.capacity() * sizeof(T); }
  size_t bytes() const { return view_.size() * sizeof(T); }
  std::vector<T> ToVector() const { return {view_.begin(), view_.end()}; }
  // The elements as a vector (moved out when owned, copied when mapped);
  // leaves the column empty.
  std::vector<T> Release() {
    std::vector<T> out = view_.data() == owned_.data() && !owned_.empty()
                             ? std::move(owned_)
                             : ToVector();
    owned_ = {};
    view_ = {};
    return out;
  }

 private:
  std::vector<T> owned_;
  std::span<const T> view_;
};

// ---- varints and strings ----

inline void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
inline uint64_t GetVarint(const char** p) {
  uint64_t v = 0;
  int shift = 0;
  const auto* q = reinterpret_cast<const unsigned char*>(*p);
  while (*q & 0x80) {
    v |= static_cast<uint64_t>(*q++ & 0x7F) << shift;
    shift += 7;
  }
  v |= static_cast<uint64_t>(*q++) << shift;
  *p = reinterpret_cast<const char*>(q);
  return v;
}
inline void PutString(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s.data(), s.size());
}
inline std::string_view GetString(const char** p) {
  const size_t n = GetVarint(p);
  std::string_view s(*p, n);
  *p += n;
  return s;
}

// ---- name tuples ----

// The normalized name fields of one enrollment.
struct NameFields {
  std::string_view kanji_key, kanji_loose_key, kana_key, kana_loose_key;
  size_t kanji_surname_bytes = 0, kana_surname_bytes = 0;
  int wildcard_count = 0;
};
// Appends the tuple to `out`.
void EncodeName(const NameFields& fields, std::string* out);
// Fills the name fields of `view` from the tuple at `p`; views point into the
// tuple.
void DecodeNameView(const char* p, PersonView* view);

// ---- raw names ----

// How a raw name is kept: rebuilt from its key (most rosters write the key
// with a space after the surname), or written out in the raw-names table.
enum RawForm : uint8_t {
  kRawExplicit = 0,
  kRawIsKey = 1,
  kRawKeyWideSpace = 2,   // U+3000 after the surname
  kRawKeyAsciiSpace = 3,  // ' ' after the surname
};
RawForm RawFormOf(std::string_view raw, std::string_view key,
                  size_t surname_bytes);
// The raw name of a form other than kRawExplicit.
std::string RebuildRaw(RawForm form, std::string_view key,
                       size_t surname_bytes);
// An enrollment's raw_forms byte: the kanji form, then the kana form.
inline uint8_t RawForms(RawForm kanji, RawForm kana) {
  return static_cast<uint8_t>(kanji | kana << 2);
}
inline RawForm KanjiForm(uint8_t forms) {
  return static_cast<RawForm>(forms & 3);
}
inline RawForm KanaForm(uint8_t forms) {
  return static_cast<RawForm>(forms >> 2 & 3);
}
// The raw names written out (each empty unless its form is kRawExplicit).
void EncodeRawNames(std::string_view kanji, std::string_view kana,
                    std::string* out);
void DecodeRawNames(const char* p, std::string_view* kanji,
                    std::string_view* kana);

// ---- address tuples ----

// Appends the tuple (postal code, address key, municipality) to `out`.
void EncodeAddress(std::string_view postal_code, std::string_view address_key,
                   std::string_view municipality, std::string* out);
void DecodeAddress(const char* p, PersonView* view);

// ---- member entries ----

struct MemberFields {
  std::string_view member_key;  // 記号|番号|枝番, normalized
  std::string_view insurer;     // digits
  std::string_view raw_insurer, raw_symbol, raw_number, raw_branch;
};
// Appends the entry to `out`.
void EncodeMember(const MemberFields& fields, std::string* out);
// The entry at `p`. `insurer` is the enrollment's insurer digits, the raw
// insurer number's default.
struct MemberView {
  std::string_view member_key, member_number;
  std::string_view raw_insurer, raw_symbol, raw_number, raw_branch;
};
MemberView DecodeMember(const char* p, std::string_view insurer);
// The entry after the one at `p`.
const char* SkipMember(const char* p);

// Appends strings to a blob, each distinct one once, aligned to `Align` bytes
// so that a 32-bit reference (offset / Align) reaches Align × 4 GiB. Used while
// building only.
template <size_t Align>
class BlobInterner {
 public:
  explicit BlobInterner(std::vector<char>* blob)
      : blob_(blob), index_(0, Hash{blob}, Eq{blob}) {}
  // The reference of `bytes` (a whole encoded tuple), appending it unless it
  // is there. Returns false when the blob would outgrow its references.
  bool Intern(std::string_view bytes, uint32_t* ref) {
    auto it = index_.find(Key{bytes});
    if (it != index_.end()) {
      *ref = it->ref;
      return true;
    }
    while (blob_->size() % Align != 0) blob_->push_back('\0');
    const uint64_t at = blob_->size() / Align;
    if (at > 0xFFFFFFFFu) return false;
    const auto size = static_cast<uint32_t>(bytes.size());
    blob_->insert(blob_->end(), bytes.begin(), bytes.end());
    index_.insert(Entry{static_cast<uint32_t>(at), size});
    *ref = static_cast<uint32_t>(at);
    return true;
  }

 private:
  struct Entry {
    uint32_t ref;
    uint32_t size;
  };
  struct Key {
    std::string_view bytes;
  };
  struct Hash {
    using is_transparent = void;
    const std::vector<char>* blob;
    size_t operator()(const Entry& e) const {
      return (*this)(Key{{blob->data() + size_t{e.ref} * Align, e.size}});
    }
    size_t operator()(const Key& k) const;
  };
  struct Eq {
    using is_transparent = void;
    const std::vector<char>* blob;
    std::string_view Of(const Entry& e) const {
      return {blob->data() + size_t{e.ref} * Align, e.size};
    }
    std::string_view Of(const Key& k) const { return k.bytes; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return Of(a) == Of(b);
    }
  };
  std::vector<char>* blob_;
  absl::flat_hash_set<Entry, Hash, Eq> index_;
};

uint64_t HashBlobBytes(std::string_view bytes);

template <size_t Align>
size_t BlobInterner<Align>::Hash::operator()(const Key& k) const {
  return HashBlobBytes(k.bytes);
}

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_ROSTER_COLUMNS_H_
