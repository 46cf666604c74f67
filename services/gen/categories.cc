// The difficulty each receipt category adds to a correctly billed receipt.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "normalizer/insurer.h"
#include "services/gen/noise.h"
#include "services/gen/receipts.h"
#include "services/gen/render.h"

namespace kuromaru::gen {
namespace {

std::string FullWidthDigits(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      out += "\xEF\xBC";
      out.push_back(static_cast<char>(0x90 + (c - '0')));
    } else if (c == '-') {
      out += "－";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// 2-14-3 as written by a clinic: as is, full-width, 2丁目14番3号, or left out.
std::string SpokenBlocks(const std::string& blocks, Rng& rng) {
  const double x = rng.Unit();
  if (x < 0.4) return blocks;
  if (x < 0.6) return FullWidthDigits(blocks);
  if (x < 0.9) {
    const size_t a = blocks.find('-');
    const size_t b = blocks.find('-', a + 1);
    return absl::StrCat(blocks.substr(0, a), "丁目",
                        blocks.substr(a + 1, b - a - 1), "番",
                        blocks.substr(b + 1), "号");
  }
  return "";
}

// A keystroke error that the 検証番号 catches (a swap of 0 and 9 would not).
std::string MistypedInsurer(const std::string& number, Rng& rng,
                            std::string* detail) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    const bool swap = rng.Chance(0.35);
    std::string out =
        swap ? SwapAdjacentDigits(number, rng) : ChangeOneDigit(number, 0, rng);
    if (out.empty() || out == number || normalizer::HasValidCheckDigit(out) ||
        out == "77777777" || out == "77777779") {
      continue;
    }
    *detail = swap ? "adjacent_swap" : "one_digit";
    return out;
  }
  *detail = "one_digit";
  return ChangeOneDigit(number, number.size() - 1, rng);
}

}  // namespace

void ReceiptMaker::ApplyCategory(Category c, const Draw& d, Rng& rng,
                                 v1::Receipt* r, Truth* t) const {
  const Person& p = *d.person;
  const NameForm& name = p.names[d.name];
  const InsurerCatalog& insurers = world_.insurers();
  switch (c) {
    case Category::kExact:
      break;
    case Category::kStaleInsurer: {
      const Enrollment& prev = p.enrollments[d.enrollment - 1];
      r->set_insurer_number(insurers.at(prev.insurer).number);
      r->set_symbol(prev.symbol);
      r->set_number(prev.number);
      r->set_branch(prev.branch);
      const bool kouki =
          insurers.at(p.enrollments[d.enrollment].insurer).kind ==
          InsurerKind::kKouki;
      t->detail = kouki ? "turned_75" : "insurer_change";
      if (prev.insurer == p.enrollments[d.enrollment].insurer) {
        t->detail = "member_key_change";
      }
      break;
    }
    case Category::kInsurerTypo:
      r->set_insurer_number(
          MistypedInsurer(r->insurer_number(), rng, &t->detail));
      break;
    case Category::kMemberTypo: {
      const std::string& n = r->number();
      std::string typo = n.size() > 1 && rng.Chance(0.35)
                             ? SwapAdjacentDigits(n, rng)
                             : std::string();
      t->detail = typo.empty() ? "one_digit" : "adjacent_swap";
      if (typo.empty()) typo = ChangeOneDigit(n, 0, rng);
      r->set_number(typo);
      break;
    }
    case Category::kFusho:
    case Category::kNamesake:
      ApplyFusho(d, rng, r, &t->detail);
      break;
    case Category::kNameWildcard:
      r->set_name_kanji(ReceiptNameKanji(name, KanjiRendering::kWildcard, rng));
      t->detail = "wildcard";
      break;
    case Category::kNameSubstitute:
      r->set_name_kanji(
          ReceiptNameKanji(name, KanjiRendering::kSubstitute, rng));
      t->detail = "substitute";
      break;
    case Category::kNameKatakana:
      r->set_name_kanji(rng.Chance(0.8)
                            ? FullKana(name)
                            : absl::StrCat(name.surname_kana, name.given_kana));
      t->detail = "katakana";
      break;
    case Category::kKanaNoise:
      ApplyKanaNoise(name, rng, r, &t->detail);
      break;
    case Category::kBirthDateNoise:
      ApplyBirthNoise(p, rng, r, &t->detail);
      break;
    case Category::kMissingSex: {
      const double x = rng.Unit();
      r->set_sex(x < 0.7 ? "" : x < 0.85 ? "0" : "9");
      t->detail = r->sex().empty() ? "empty" : "unknown_code";
      break;
    }
    case Category::kLateRoster:
      t->detail = "newer_enrollment_billed";
      break;
    case Category::kNotInRoster:
      t->detail = "billed";
      if (rng.Chance(0.3)) ApplyFusho(d, rng, r, &t->detail);
      break;
    default:
      ApplyLifeEvent(c, d, rng, r, t);
      break;
  }
}

void ReceiptMaker::ApplyAddress(const Draw& d, double postal_code,
                                double address, Rng& rng,
                                v1::Receipt* r) const {
  const Address& home =
      d.household.addresses[d.person->enrollments[d.enrollment].address];
  const AddressEntry& a = world_.sources().addresses[home.entry];
  if (rng.Chance(postal_code)) {
    const double x = rng.Unit();
    const std::string hyphen =
        absl::StrCat(a.postal_code.substr(0, 3), "-", a.postal_code.substr(3));
    r->set_postal_code(x < 0.5   ? a.postal_code
                       : x < 0.8 ? hyphen
                                 : absl::StrCat("〒", hyphen));
  }
  if (rng.Chance(address)) {
    r->set_address(absl::StrCat(a.text, SpokenBlocks(home.blocks, rng)));
  }
}

void ReceiptMaker::ApplyFusho(const Draw& d, Rng& rng, v1::Receipt* r,
                              std::string* detail) const {
  const Person& p = *d.person;
  const Enrollment& e = p.enrollments[d.enrollment];
  const Insurer& in = world_.insurers().at(e.insurer);
  r->set_insurer_number(rng.Chance(0.5) ? "77777777" : "77777779");
  r->set_symbol("");
  r->set_number(in.kind == InsurerKind::kKouki ? "77777777" : "777777777");
  r->set_branch("");
  *detail = "fusho";
  ApplyAddress(d, 0.7, 0.7, rng, r);
  if (rng.Chance(0.65)) r->set_insurer_name(SpokenInsurerName(in, rng));
  if (!e.employer.core.empty() && rng.Chance(0.55)) {
    r->set_employer(SpokenEmployer(e.employer, rng));
  }
}

void ReceiptMaker::ApplyKanaNoise(const NameForm& p, Rng& rng, v1::Receipt* r,
                                  std::string* detail) const {
  const std::string full = FullKana(p);
  std::vector<std::pair<std::string, std::string>> options;
  if (std::string s = SmallAsLarge(full); s != full) {
    options.emplace_back("small_as_large", s);
  }
  if (std::string s = SwapLongVowel(full); s != full) {
    options.emplace_back("long_vowel", s);
  }
  if (std::string s = DropVoicing(full, rng); s != full) {
    options.emplace_back("voicing_dropped", s);
  }
  if (options.empty()) {
    options.emplace_back(
        "half_width_joined",
        ToHalfWidthKana(absl::StrCat(p.surname_kana, p.given_kana)));
  }
  auto [name, kana] = options[rng.Below(options.size())];
  if (rng.Chance(0.3)) {
    kana = ToHalfWidthKana(kana);
    name += "+half_width";
  }
  r->set_name_kana(kana);
  *detail = name;
}

void ReceiptMaker::ApplyBirthNoise(const Person& p, Rng& rng, v1::Receipt* r,
                                   std::string* detail) const {
  const Date& b = p.birth;
  const double x = rng.Unit();
  if (x < 0.25 && b.day <= 12 && b.day != b.month) {
    const Date swapped{b.year, b.day, b.month};
    r->set_birth_date(rng.Chance(0.5) ? swapped.Key() : WarekiDate(swapped));
    *detail = "month_day_swap";
    return;
  }
  if (x < 0.5) {
    if (std::string wrong = WrongEraDate(b, world_.options().as_of, rng);
        !wrong.empty()) {
      r->set_birth_date(wrong);
      *detail = "wrong_era";
      return;
    }
  }
  for (int attempt = 0; attempt < 50; ++attempt) {
    const std::string key = ChangeOneDigit(b.Key(), 2, rng);
    const Date typo{std::stoi(key.substr(0, 4)), std::stoi(key.substr(4, 2)),
                    std::stoi(key.substr(6, 2))};
    if (!normalizer::IsValidDate(typo) ||
        !Before(typo, world_.options().as_of)) {
      continue;
    }
    r->set_birth_date(rng.Chance(0.5) ? typo.Key() : WarekiDate(typo));
    *detail = "one_digit";
    return;
  }
  r->set_birth_date(WarekiDate(b));
  *detail = "wareki";
}

}  // namespace kuromaru::gen
