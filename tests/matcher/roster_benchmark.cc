// Roster build and candidate generation on synthetic rosters of N
// enrollments: build time, queries per second, blocking recall and peak RSS.
//
//   build/tests/roster_benchmark --benchmark_filter=BM_Build/1000000
#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "matcher/normalize_person.h"
#include "matcher/roster_index.h"
#include "normalizer/insurer.h"

namespace kuromaru::matcher {
namespace {

struct NamePart {
  const char* kanji;
  const char* kana;
};
constexpr NamePart kSurnames[] = {
    {"佐藤", "サトウ"},   {"鈴木", "スズキ"},   {"髙橋", "タカハシ"},
    {"田中", "タナカ"},   {"伊藤", "イトウ"},   {"渡辺", "ワタナベ"},
    {"山本", "ヤマモト"}, {"中村", "ナカムラ"}, {"小林", "コバヤシ"},
    {"加藤", "カトウ"},   {"吉田", "ヨシダ"},   {"山田", "ヤマダ"},
    {"佐々木", "ササキ"}, {"山口", "ヤマグチ"}, {"松本", "マツモト"},
    {"井上", "イノウエ"}, {"木村", "キムラ"},   {"林", "ハヤシ"},
    {"斎藤", "サイトウ"}, {"清水", "シミズ"},   {"山﨑", "ヤマザキ"},
    {"森", "モリ"},       {"池田", "イケダ"},   {"橋本", "ハシモト"},
    {"阿部", "アベ"},     {"石川", "イシカワ"}, {"山下", "ヤマシタ"},
    {"中島", "ナカジマ"}, {"石井", "イシイ"},   {"小川", "オガワ"}};
constexpr NamePart kGiven[] = {
    {"太郎", "タロウ"},   {"花子", "ハナコ"},   {"一郎", "イチロウ"},
    {"恵子", "ケイコ"},   {"健一", "ケンイチ"}, {"洋子", "ヨウコ"},
    {"翔太", "ショウタ"}, {"陽菜", "ヒナ"},     {"大輔", "ダイスケ"},
    {"美咲", "ミサキ"},   {"誠", "マコト"},     {"京子", "キョウコ"},
    {"拓也", "タクヤ"},   {"由美", "ユミ"},     {"直樹", "ナオキ"},
    {"真由美", "マユミ"}, {"隆", "タカシ"},     {"智子", "トモコ"},
    {"浩二", "コウジ"},   {"明美", "アケミ"},   {"修", "オサム"},
    {"裕子", "ユウコ"},   {"亮", "リョウ"},     {"愛", "アイ"},
    {"和夫", "カズオ"},   {"幸子", "サチコ"},   {"悠斗", "ユウト"},
    {"結衣", "ユイ"},     {"博", "ヒロシ"},     {"久美子", "クミコ"}};
constexpr const char* kTowns[] = {
    "東京都千代田区千代田", "大阪府高槻市奈佐原", "神奈川県横浜市中区山下町",
    "北海道札幌市中央区北三条西", "福岡県福岡市博多区博多駅前"};

uint64_t Rand(uint64_t p, uint64_t salt) { return HashMix(p * 7919 + 1, salt); }

std::string Insurer(uint64_t k) {
  std::string d = absl::StrCat("06", 10 + k % 37, 100 + k % 800);
  return d + std::to_string(normalizer::CheckDigit(d));
}

// The text of one person's fields; persons p % 5 == 0 changed insurer on
// 2024-01-01 and have two enrollments.
struct PersonText {
  std::string kanji, kana, birth, sex, postal, address;
  std::string insurer[2], number[2];
  bool moved = false;
};

PersonText MakePerson(uint64_t p) {
  PersonText t;
  const NamePart& s = kSurnames[Rand(p, 1) % std::size(kSurnames)];
  const NamePart& g = kGiven[Rand(p, 2) % std::size(kGiven)];
  t.kanji = absl::StrCat(s.kanji, "　", g.kanji);
  t.kana = absl::StrCat(s.kana, "　", g.kana);
  const uint64_t r = Rand(p, 3);
  t.birth = absl::StrFormat("%04d%02d%02d", 1930 + r % 90, 1 + r / 90 % 12,
                            1 + r / 1080 % 28);
  t.sex = Rand(p, 4) % 2 ? "1" : "2";
  t.postal = absl::StrFormat("%07d", Rand(p, 5) % 9000000 + 1000000);
  t.address =
      absl::StrCat(kTowns[Rand(p, 6) % std::size(kTowns)], 1 + Rand(p, 7) % 5,
                   "-", 1 + Rand(p, 8) % 30, "-", 1 + Rand(p, 9) % 20);
  t.moved = p % 5 == 0;
  for (int e = 0; e < 2; ++e) {
    t.insurer[e] = Insurer(Rand(p, 10 + e));
    t.number[e] = std::to_string(100000 + p * 2 + e);
  }
  return t;
}

RosterRow Row(const PersonText& t, int e) {
  return {.insurer_number = t.insurer[e],
          .symbol = "12",
          .number = t.number[e],
          .name_kanji = t.kanji,
          .name_kana = t.kana,
          .birth_date = t.birth,
          .sex = t.sex,
          .qualified_from = e == 0 ? "20100401" : "20240101",
          .qualified_until = e == 0 && t.moved ? "20240101" : "",
          .postal_code = t.postal,
          .address = t.address};
}

size_t PersonsFor(size_t rows) { return rows * 5 / 6; }  // 1.2 rows each

int64_t PeakRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return 0;
}

std::shared_ptr<const RosterIndex> BuildIndex(size_t rows) {
  RosterBuilder builder;
  for (uint64_t p = 0; p < PersonsFor(rows); ++p) {
    const PersonText t = MakePerson(p);
    for (int e = 0; e < (t.moved ? 2 : 1); ++e) {
      if (!builder.Add(Row(t, e)).ok()) std::abort();
    }
  }
  auto roster = builder.Build();
  if (!roster.ok()) std::abort();
  auto index = RosterIndex::Build(*roster);
  if (!index.ok()) std::abort();
  return *index;
}

void BM_Build(benchmark::State& state) {
  std::shared_ptr<const RosterIndex> index;
  for (auto _ : state) {
    index = BuildIndex(static_cast<size_t>(state.range(0)));
  }
  const Roster& r = index->roster();
  state.counters["rows"] = static_cast<double>(r.size());
  state.counters["persons"] = static_cast<double>(r.counts().persons);
  state.counters["roster_MB"] = r.MemoryBytes() / 1e6;
  state.counters["index_MB"] = index->MemoryBytes() / 1e6;
  state.counters["peak_rss_MB"] = PeakRssKb() / 1e3;
}
BENCHMARK(BM_Build)->Arg(100000)->Arg(1000000)->Iterations(1)->Unit(
    benchmark::kSecond);

// A receipt for person p, with one of the mistakes receipts carry.
struct ReceiptText {
  std::string kanji, kana, birth, insurer, number, postal;
};

ReceiptText MakeReceipt(const PersonText& t, uint64_t p) {
  ReceiptText r{t.kanji, t.kana, t.birth, t.insurer[1], t.number[1], ""};
  if (!t.moved) {
    r.insurer = t.insurer[0];
    r.number = t.number[0];
  }
  switch (p % 6) {
    case 0:  // billed to the old insurer
      r.insurer = t.insurer[0];
      r.number = t.number[0];
      break;
    case 1:  // ● for the first kanji, kana missing, number mistyped
      r.kanji = absl::StrCat("●", t.kanji.substr(t.kanji.find("　") - 3));
      r.kana.clear();
      r.number.back() = r.number.back() == '9' ? '0' : r.number.back() + 1;
      break;
    case 2:  // a digit of the birth day, kana without separator
      r.birth.back() = r.birth.back() == '1' ? '2' : '1';
      r.kana.erase(r.kana.find("　"), 3);
      r.number.clear();
      break;
    case 3:  // a digit of the insurer number
      r.insurer[4] = r.insurer[4] == '9' ? '0' : r.insurer[4] + 1;
      r.kana.clear();
      break;
    case 4:  // 不詳
      r.insurer = "77777779";
      r.number = "777777777";
      r.postal = t.postal;
      r.kana.clear();
      break;
    default:  // kanji substituted, member unknown
      r.kanji = "某" + t.kanji.substr(3);
      r.number.clear();
      break;
  }
  return r;
}

void BM_Candidates(benchmark::State& state) {
  static std::shared_ptr<const RosterIndex> index;
  static int64_t built_for = 0;
  if (built_for != state.range(0)) {
    index.reset();
    index = BuildIndex(static_cast<size_t>(state.range(0)));
    built_for = state.range(0);
  }
  const Roster& roster = index->roster();
  const size_t persons = PersonsFor(static_cast<size_t>(state.range(0)));
  const CandidateOptions options;
  int64_t queries = 0, found = 0, candidates = 0;
  int64_t by_case[6] = {}, found_by_case[6] = {};
  uint64_t p = 0;
  for (auto _ : state) {
    p = Rand(queries, 99) % persons;
    state.PauseTiming();
    const PersonText t = MakePerson(p);
    const ReceiptText r = MakeReceipt(t, p);
    const int e = t.moved ? 1 : 0;
    const EnrollmentId truth = roster.Find(t.insurer[e], "12", t.number[e], "",
                                           e == 1 ? 20240101 : 20100401);
    state.ResumeTiming();
    std::optional<normalizer::InsurerNumber> billed;
    NormalizedPerson receipt =
        NormalizePerson({.name_kanji = r.kanji,
                         .name_kana = r.kana,
                         .birth_date = r.birth,
                         .insurer_number = r.insurer,
                         .symbol = r.number.empty() ? "" : "12",
                         .number = r.number,
                         .postal_code = r.postal},
                        nullptr, &billed);
    std::vector<Candidate> c = index->Candidates(
        receipt.View(), 202404, options, billed ? &*billed : nullptr);
    benchmark::DoNotOptimize(c.data());
    ++queries;
    ++by_case[p % 6];
    candidates += static_cast<int64_t>(c.size());
    for (const Candidate& x : c) {
      if (x.enrollment == truth) {
        ++found;
        ++found_by_case[p % 6];
        break;
      }
    }
  }
  state.counters["queries_per_s"] = benchmark::Counter(
      static_cast<double>(queries), benchmark::Counter::kIsRate);
  state.counters["recall"] = static_cast<double>(found) / queries;
  for (int k = 0; k < 6; ++k) {
    state.counters[absl::StrCat("recall_", k)] =
        static_cast<double>(found_by_case[k]) /
        std::max<int64_t>(1, by_case[k]);
  }
  state.counters["mean_candidates"] = static_cast<double>(candidates) / queries;
  state.counters["peak_rss_MB"] = PeakRssKb() / 1e3;
}
BENCHMARK(BM_Candidates)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace kuromaru::matcher
