// How the generated facts are written: roster and directory CSV rows
// (FORMATS.md §1, §4), names as an insurer's export and as a receipt shows
// them, and the CP932 form of a roster. Thread-compatible.
#ifndef KUROMARU_SERVICES_GEN_RENDER_H_
#define KUROMARU_SERVICES_GEN_RENDER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "services/gen/insurers.h"
#include "services/gen/random.h"
#include "services/gen/variants.h"
#include "services/gen/world.h"

struct UConverter;

namespace kuromaru::gen {

inline constexpr char kRosterHeader[] =
    "insurer_number,symbol,number,branch,name_kanji,name_kana,birth_date,sex,"
    "qualified_from,qualified_until,postal_code,address\n";
inline constexpr char kDirectoryHeader[] =
    "insurer_number,name,name_kana,aliases,prefecture,address,employers\n";

// Appends `field` to `line`, quoted as RFC 4180 requires (",", '"', CR, LF).
void AppendCsvField(std::string_view field, std::string* line);

// "YYYYMMDD"; empty for year 0 (an open enrollment's end).
std::string DateKey(const Date& d);

// The roster row of one enrollment, with its newline: the name valid in it,
// written by the insurer's storage policy (policy.h) with the row's draws
// from `row_seed`; the address of the enrollment.
std::string RosterRow(const Person& person, const Enrollment& enrollment,
                      const Household& household, const World& world,
                      uint64_t row_seed);

// The directory row of one insurer, with its newline.
std::string DirectoryRow(const Insurer& insurer);

// How a receipt writes the kanji name. A receipt carries JIS X 0208 only:
// variation selectors are always dropped.
enum class KanjiRendering {
  kAsBilled,    // variant kept if in JIS X 0208, else ● or substitute
  kWildcard,    // every character outside JIS X 0208 as ●
  kSubstitute,  // the variant as its canonical form, others outside JIS ●
};
std::string ReceiptNameKanji(const NameForm& name, KanjiRendering how,
                             Rng& rng);

// Full-width katakana with U+3000 between surname and given name.
std::string FullKana(const NameForm& name);

// The kana as a receipt writes it: full-width with U+3000 (85%), without
// the space (8%), half-width (7%).
std::string ReceiptKana(const NameForm& name, Rng& rng);

// True if the registered name has a character outside JIS X 0208 (a
// variation selector aside).
bool HasNonJisChar(const NameForm& name);

// UTF-8 to CP932 (windows-31j). 外字 (U+E000–U+E757) go to the user-defined
// area F040–F9FC; a character CP932 lacks becomes its 外字 from `variants`;
// variation selectors are dropped.
class Cp932Encoder {
 public:
  static absl::StatusOr<std::unique_ptr<Cp932Encoder>> Create(
      const VariantTable& variants);
  ~Cp932Encoder();
  std::string Encode(std::string_view utf8);

 private:
  Cp932Encoder(UConverter* conv, const VariantTable& variants)
      : conv_(conv), variants_(variants) {}
  bool TryEncode(std::u16string_view text, std::string* out);

  UConverter* conv_;
  const VariantTable& variants_;
};

}  // namespace kuromaru::gen

#endif  // KUROMARU_SERVICES_GEN_RENDER_H_
