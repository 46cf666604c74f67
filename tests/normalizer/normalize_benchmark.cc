// Normalizing one whole receipt: every field the matcher compares.
//   build/tests/normalize_benchmark
#include <array>
#include <string_view>

#include "benchmark/benchmark.h"
#include "normalizer/address.h"
#include "normalizer/date.h"
#include "normalizer/insurer.h"
#include "normalizer/kana.h"
#include "normalizer/member.h"
#include "normalizer/name_kanji.h"
#include "normalizer/sex.h"

namespace kuromaru::normalizer {
namespace {

struct RawReceipt {
  std::string_view service_month, insurer_number, symbol, number, branch,
      name_kanji, name_kana, birth_date, sex, postal_code, address;
};

// Synthetic receipts in the shapes claims arrive in: clean, ●, half-width kana,
// 和暦, a mistyped insurer number, a 不詳 receipt with an address.
constexpr std::array<RawReceipt, 6> kReceipts = {{
    {"202404", "01130012", "1234", "5678", "01", "高橋　一郎",
     "タカハシ　イチロウ", "19750123", "1", "", ""},
    {"202404", "06131234", "", "00012345", "", "●橋 花子", "ﾀｶﾊｼ ﾊﾅｺ",
     "3500123", "2", "", ""},
    {"R6.4", "33120016", "12", "345", "1", "渡邉　恵子", "ワタナベ　ケイコ",
     "S48.3.4", "2", "", ""},
    {"202403", "138014", "横浜", "１２３－４", "", "﨑山 太郎", "ｻｷﾔﾏ ﾀﾛｳ",
     "4010203", "1", "", ""},
    {"202404", "77777777", "", "777777777", "", "サトウ ユウコ",
     "サトウ ユーコ", "19880808", "", "100-0001", "東京都千代田区千代田１－１"},
    {"202402", "39131015", "", "12345678", "", "齋藤 德次郎",
     "サイトウ トクジロウ", "19400229", "1", "", ""},
}};

void NormalizeReceipt(const RawReceipt& r) {
  benchmark::DoNotOptimize(ParseMonth(r.service_month));
  benchmark::DoNotOptimize(ParseInsurerNumber(r.insurer_number));
  benchmark::DoNotOptimize(NormalizeMember(r.symbol, r.number, r.branch));
  benchmark::DoNotOptimize(NormalizeKanjiName(r.name_kanji));
  benchmark::DoNotOptimize(NormalizeKanaName(r.name_kana));
  benchmark::DoNotOptimize(ParseDate(r.birth_date));
  benchmark::DoNotOptimize(NormalizeSex(r.sex));
  if (!r.postal_code.empty())
    benchmark::DoNotOptimize(NormalizePostalCode(r.postal_code));
  if (!r.address.empty()) benchmark::DoNotOptimize(NormalizeAddress(r.address));
}

void BM_NormalizeReceipt(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    NormalizeReceipt(kReceipts[i]);
    i = (i + 1) % kReceipts.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormalizeReceipt)->ThreadRange(1, 2)->UseRealTime();

template <typename F>
void Field(benchmark::State& state, F f) {
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f(kReceipts[i]));
    i = (i + 1) % kReceipts.size();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_NameKanji(benchmark::State& s) {
  Field(s,
        [](const RawReceipt& r) { return NormalizeKanjiName(r.name_kanji); });
}
void BM_NameKana(benchmark::State& s) {
  Field(s, [](const RawReceipt& r) { return NormalizeKanaName(r.name_kana); });
}
void BM_BirthDate(benchmark::State& s) {
  Field(s, [](const RawReceipt& r) { return ParseDate(r.birth_date); });
}
void BM_InsurerNumber(benchmark::State& s) {
  Field(s, [](const RawReceipt& r) {
    return ParseInsurerNumber(r.insurer_number);
  });
}
void BM_Member(benchmark::State& s) {
  Field(s, [](const RawReceipt& r) {
    return NormalizeMember(r.symbol, r.number, r.branch);
  });
}
void BM_Address(benchmark::State& s) {
  Field(s, [](const RawReceipt&) {
    return NormalizeAddress("東京都千代田区霞が関１丁目２番３号　霞ビル１０１");
  });
}
BENCHMARK(BM_NameKanji);
BENCHMARK(BM_NameKana);
BENCHMARK(BM_BirthDate);
BENCHMARK(BM_InsurerNumber);
BENCHMARK(BM_Member);
BENCHMARK(BM_Address);

}  // namespace
}  // namespace kuromaru::normalizer
