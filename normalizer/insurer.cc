#include "normalizer/insurer.h"

#include <algorithm>
#include <array>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "normalizer/address.h"
#include "normalizer/utf8.h"

namespace kuromaru::normalizer {
namespace {

struct Houbetsu {
  std::string_view code;
  std::string_view name;
};

// 法別番号 of the medical insurance schemes (法別番号及び制度の略称表).
constexpr std::array<Houbetsu, 17> kHoubetsu = {{
    {"01", "全国健康保険協会管掌健康保険（協会けんぽ）"},
    {"02", "船員保険"},
    {"03", "日雇特例被保険者の保険（一般療養）"},
    {"04", "日雇特例被保険者の保険（特別療養費）"},
    {"06", "組合管掌健康保険"},
    {"07", "防衛省職員給与法による自衛官等の療養"},
    {"31", "国家公務員共済組合"},
    {"32", "地方公務員等共済組合"},
    {"33", "警察共済組合"},
    {"34", "公立学校共済組合・日本私立学校振興・共済事業団"},
    {"39", "後期高齢者医療"},
    {"63", "特定健康保険組合（特例退職被保険者）"},
    {"67", "国民健康保険（退職者医療）"},
    {"72", "国家公務員共済組合（特例退職被保険者）"},
    {"73", "地方公務員等共済組合（特例退職被保険者）"},
    {"74", "警察共済組合（特例退職被保険者）"},
    {"75",
     "公立学校共済組合・日本私立学校振興・共済事業団（特例退職被保険者）"},
}};
constexpr std::string_view kKokuho = "国民健康保険";

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// ASCII digits of `text`: full-width digits folded, surrounding spaces (ASCII,
// U+3000) dropped.
absl::StatusOr<std::string> Digits(std::string_view text) {
  if (!IsValidUtf8(text)) return absl::InvalidArgumentError("invalid UTF-8");
  std::string out;
  bool inner_space = false;
  for (size_t i = 0; i < text.size();) {
    const unsigned char b = static_cast<unsigned char>(text[i]);
    if (b >= '0' && b <= '9') {
      if (inner_space)
        return absl::InvalidArgumentError("space inside the number");
      out.push_back(static_cast<char>(b));
      ++i;
    } else if (b == ' ' || b == '\t') {
      inner_space = !out.empty();
      ++i;
    } else if (text.substr(i, 3) == "\u3000") {
      inner_space = !out.empty();
      i += 3;
    } else if (b == 0xEF && i + 2 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) == 0xBC &&
               static_cast<unsigned char>(text[i + 2]) >= 0x90 &&
               static_cast<unsigned char>(text[i + 2]) <= 0x99) {  // ０..９
      if (inner_space)
        return absl::InvalidArgumentError("space inside the number");
      out.push_back(static_cast<char>('0' + text[i + 2] - '\x90'));
      i += 3;
    } else {
      return absl::InvalidArgumentError("not a digit");
    }
  }
  if (out.empty()) return absl::InvalidArgumentError("empty");
  return out;
}

// Higher is more plausible: a known 法別番号 and a real prefecture.
int Plausibility(std::string_view digits) {
  int score = 0;
  if (digits.size() == 8 && !HoubetsuName(digits.substr(0, 2)).empty())
    score += 2;
  const std::string_view pref = digits.substr(digits.size() == 8 ? 2 : 0, 2);
  if (!PrefectureName(pref).empty()) score += 1;
  return score;
}

std::vector<std::string> Repairs(const std::string& digits) {
  struct Candidate {
    std::string digits;
    int score;
    int order;
  };
  std::vector<Candidate> candidates;
  auto add = [&](std::string c, int order) {
    if (c == digits || !HasValidCheckDigit(c)) return;
    for (const Candidate& seen : candidates) {
      if (seen.digits == c) return;
    }
    const int score = Plausibility(c);
    candidates.push_back({std::move(c), score, order});
  };
  const int n = static_cast<int>(digits.size());
  for (int i = 0; i + 1 < n; ++i) {  // adjacent swaps
    std::string c = digits;
    std::swap(c[i], c[i + 1]);
    add(std::move(c), i);
  }
  for (int i = n - 1; i >= 0; --i) {  // one digit, the check digit first
    for (char d = '0'; d <= '9'; ++d) {
      std::string c = digits;
      c[i] = d;
      add(std::move(c), n + (n - 1 - i));
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) {
                     return a.score != b.score ? a.score > b.score
                                               : a.order < b.order;
                   });
  std::vector<std::string> out;
  for (Candidate& c : candidates) {
    if (out.size() == 30) break;
    out.push_back(std::move(c.digits));
  }
  return out;
}

}  // namespace

int CheckDigit(std::string_view digits_without_check) {
  if (!AllDigits(digits_without_check)) return -1;
  int sum = 0;
  int weight = 2;
  for (auto it = digits_without_check.rbegin();
       it != digits_without_check.rend(); ++it) {
    const int product = (*it - '0') * weight;
    sum += product / 10 + product % 10;
    weight = 3 - weight;
  }
  return (10 - sum % 10) % 10;
}

bool HasValidCheckDigit(std::string_view digits) {
  if (digits.empty() || !AllDigits(digits)) return false;
  return CheckDigit(digits.substr(0, digits.size() - 1)) == digits.back() - '0';
}

std::string_view HoubetsuName(std::string_view houbetsu) {
  for (const Houbetsu& h : kHoubetsu) {
    if (h.code == houbetsu) return h.name;
  }
  return {};
}

absl::StatusOr<InsurerNumber> ParseInsurerNumber(std::string_view text) {
  absl::StatusOr<std::string> digits = Digits(text);
  if (!digits.ok()) return digits.status();
  if (digits->size() != 8 && digits->size() != 6) {
    return absl::InvalidArgumentError(absl::StrCat(
        digits->size(), " digits, expected 8 (or 6 for 国民健康保険)"));
  }
  InsurerNumber out;
  out.digits = *std::move(digits);
  out.kokuho = out.digits.size() == 6;
  out.sentinel = out.digits == "77777777" || out.digits == "77777779";
  out.check_digit_valid = HasValidCheckDigit(out.digits);
  if (out.kokuho) {
    out.houbetsu_name = std::string(kKokuho);
  } else {
    out.houbetsu = out.digits.substr(0, 2);
    out.houbetsu_name = std::string(HoubetsuName(out.houbetsu));
  }
  out.prefecture_code = out.digits.substr(out.kokuho ? 0 : 2, 2);
  out.prefecture = std::string(PrefectureName(out.prefecture_code));
  if (!out.check_digit_valid && !out.sentinel)
    out.repairs = Repairs(out.digits);
  return out;
}

}  // namespace kuromaru::normalizer
