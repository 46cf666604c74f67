#include "services/gen/render.h"

#include <unicode/ucnv.h>
#include <unicode/unistr.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "normalizer/utf8.h"
#include "normalizer/variant_kanji.h"
#include "services/gen/noise.h"

namespace kuromaru::gen {
namespace {

using normalizer::AppendUtf8;

std::u32string Chars(const NameForm& n) {
  auto decoded = normalizer::DecodeUtf8(absl::StrCat(n.surname, n.given));
  return decoded.ok() ? *std::move(decoded) : std::u32string();
}

size_t SurnameLength(const NameForm& n) {
  return normalizer::CodePointCount(n.surname);
}

// Re-inserts the separator after the surname's code points; drops variation
// selectors.
std::string WithSeparator(const std::u32string& chars, size_t surname_len,
                          std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < chars.size(); ++i) {
    if (i == surname_len) out += separator;
    if (IsVariationSelector(chars[i])) continue;
    AppendUtf8(chars[i], &out);
  }
  return out;
}

}  // namespace

void AppendCsvField(std::string_view field, std::string* line) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    line->append(field);
    return;
  }
  line->push_back('"');
  for (char c : field) {
    if (c == '"') line->push_back('"');
    line->push_back(c);
  }
  line->push_back('"');
}

std::string DateKey(const Date& d) {
  return d.year == 0 ? std::string() : d.Key();
}

std::string FullKana(const NameForm& n) {
  return absl::StrCat(n.surname_kana, "\u3000", n.given_kana);
}

std::string ReceiptKana(const NameForm& n, Rng& rng) {
  const double k = rng.Unit();
  return k < 0.85   ? FullKana(n)
         : k < 0.93 ? absl::StrCat(n.surname_kana, n.given_kana)
                    : ToHalfWidthKana(FullKana(n));
}

bool HasNonJisChar(const NameForm& n) {
  for (char32_t c : Chars(n)) {
    if (!normalizer::IsJisX0208(c) && !IsVariationSelector(c)) return true;
  }
  return false;
}

std::string RosterRow(const Person& p, const Enrollment& e, const Household& h,
                      const World& world, uint64_t row_seed) {
  const Insurer& in = world.insurers().at(e.insurer);
  const Address& home = h.addresses[e.address];
  const AddressEntry& a = world.sources().addresses[home.entry];
  const RosterName name =
      WriteRosterName(p.names[e.name], in.policy, world.variants(), row_seed);
  const bool hyphen = e.insurer % 5 == 0;
  const std::string postal = hyphen ? absl::StrCat(a.postal_code.substr(0, 3),
                                                   "-", a.postal_code.substr(3))
                                    : a.postal_code;
  const std::string fields[] = {
      in.number,       e.symbol,
      e.number,        e.branch,
      name.kanji,      name.kana,
      p.birth.Key(),   absl::StrCat(p.sex),
      DateKey(e.from), DateKey(e.until),
      postal,          absl::StrCat(a.text, home.blocks)};
  std::string line;
  for (size_t i = 0; i < std::size(fields); ++i) {
    if (i > 0) line.push_back(',');
    AppendCsvField(fields[i], &line);
  }
  line.push_back('\n');
  return line;
}

std::string DirectoryRow(const Insurer& in) {
  std::vector<std::string> employers;
  for (const Company& c : in.employers) employers.push_back(c.Official());
  const std::string fields[] = {in.number,
                                in.name,
                                "",
                                absl::StrJoin(in.aliases, "|"),
                                in.prefecture,
                                in.address,
                                absl::StrJoin(employers, "|")};
  std::string line;
  for (size_t i = 0; i < std::size(fields); ++i) {
    if (i > 0) line.push_back(',');
    AppendCsvField(fields[i], &line);
  }
  line.push_back('\n');
  return line;
}

std::string ReceiptNameKanji(const NameForm& p, KanjiRendering how, Rng& rng) {
  std::u32string chars = Chars(p);
  for (size_t i = 0; i < chars.size(); ++i) {
    if (IsVariationSelector(chars[i])) continue;
    const bool designated = static_cast<int>(i) == p.variant_index;
    const bool jis = normalizer::IsJisX0208(chars[i]);
    if (designated && how == KanjiRendering::kSubstitute) {
      chars[i] = p.canonical;
    } else if (designated && how == KanjiRendering::kAsBilled) {
      if (jis ? rng.Chance(0.4) : rng.Chance(0.5)) {
        chars[i] = p.canonical;
      } else if (!jis) {
        chars[i] = U'●';
      }
    } else if (!jis) {
      chars[i] = U'●';
    }
  }
  const double s = rng.Unit();
  return WithSeparator(chars, SurnameLength(p),
                       s < 0.85   ? "\u3000"
                       : s < 0.95 ? ""
                                  : " ");
}

absl::StatusOr<std::unique_ptr<Cp932Encoder>> Cp932Encoder::Create(
    const VariantTable& variants) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter* conv = ucnv_open("windows-31j", &status);
  if (U_FAILURE(status)) {
    return absl::InternalError(absl::StrCat(
        "ICU has no windows-31j converter: ", u_errorName(status)));
  }
  ucnv_setFromUCallBack(conv, UCNV_FROM_U_CALLBACK_STOP, nullptr, nullptr,
                        nullptr, &status);
  return std::unique_ptr<Cp932Encoder>(new Cp932Encoder(conv, variants));
}

Cp932Encoder::~Cp932Encoder() { ucnv_close(conv_); }

bool Cp932Encoder::TryEncode(std::u16string_view text, std::string* out) {
  UErrorCode status = U_ZERO_ERROR;
  ucnv_resetFromUnicode(conv_);
  char buffer[1024];
  const int32_t n = ucnv_fromUChars(conv_, buffer, sizeof(buffer), text.data(),
                                    static_cast<int32_t>(text.size()), &status);
  if (U_FAILURE(status)) return false;
  out->append(buffer, n);
  return true;
}

std::string Cp932Encoder::Encode(std::string_view utf8) {
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  std::string out;
  if (u.length() < 400 &&
      TryEncode(std::u16string_view(u.getBuffer(), u.length()), &out)) {
    return out;
  }
  out.clear();
  for (int32_t i = 0; i < u.length();) {
    const UChar32 c = u.char32At(i);
    const int32_t len = U16_LENGTH(c);
    if (IsVariationSelector(static_cast<char32_t>(c))) {
      i += len;  // CP932 cannot carry one; the base character stays
      continue;
    }
    if (!TryEncode(std::u16string_view(u.getBuffer() + i, len), &out)) {
      const char16_t gaiji = static_cast<char16_t>(variants_.Gaiji(c));
      TryEncode(std::u16string_view(&gaiji, 1), &out);
    }
    i += len;
  }
  return out;
}

}  // namespace kuromaru::gen
