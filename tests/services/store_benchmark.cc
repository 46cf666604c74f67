// CreateCase throughput and latency on a store file with synchronous=FULL,
// with 1, 8 and 32 concurrent writers: how far group commit carries intake.
// Each run writes a fresh file under $KUROMARU_BENCH_DIR (default /var/tmp);
// put it on the disk the service will use, not on tmpfs.
//
//   build/tests/store_benchmark --benchmark_filter=BM_CreateCase
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "services/store/case_store.h"
#include "services/store/sqlite_store.h"

namespace kuromaru::store {
namespace {

// A receipt and match of realistic size: three candidates with evidence.
NewCase MakeCase(const std::string& id) {
  NewCase c;
  v1::Receipt& r = c.receipt;
  r.set_receipt_id(id);
  r.set_service_month("202404");
  r.set_insurer_number("01130012");
  r.set_symbol("1234");
  r.set_number("5678");
  r.set_name_kanji("山田　太郎");
  r.set_name_kana("ヤマダ　タロウ");
  r.set_birth_date("19750123");
  r.set_sex("1");
  r.set_address("東京都千代田区千代田1-1");
  c.result.set_receipt_id(id);
  c.result.set_decision(v1::DECISION_REVIEW);
  c.result.set_roster_version("bench");
  for (int i = 0; i < 3; ++i) {
    v1::Candidate* k = c.result.add_candidates();
    k->set_insurer_number("06130011");
    k->set_symbol("12");
    k->set_number(absl::StrCat(1000 + i));
    k->set_qualified_from("20150401");
    k->set_probability(0.8 - 0.2 * i);
    k->set_name_kanji("山田　太郎");
    for (const char* field : {"name_kanji", "name_kana", "birth_date", "sex"}) {
      v1::Evidence* e = k->add_evidence();
      e->set_field(field);
      e->set_level("EXACT");
      e->set_weight(3.5);
    }
  }
  c.actor = {"claims", "claims", "req-" + id, "10.0.0.1:1234"};
  return c;
}

double Percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  size_t i = static_cast<size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + i, v.end());
  return v[i];
}

// Args: writer threads, creates per thread, batch window in microseconds,
// checkpoint interval in milliseconds.
void BM_CreateCase(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const int per_thread = static_cast<int>(state.range(1));
  const char* env = getenv("KUROMARU_BENCH_DIR");
  std::string dir = absl::StrCat(env != nullptr ? env : "/var/tmp",
                                 "/kuromaru_store_bench_XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) {
    state.SkipWithError("cannot create the benchmark directory");
    return;
  }
  const std::string path = dir + "/cases.db";
  SqliteOptions options;
  options.batch_window = absl::Microseconds(state.range(2));
  options.checkpoint_interval = absl::Milliseconds(state.range(3));
  std::vector<double> latencies_ms;
  StoreStats stats;
  int run = 0;
  for (auto _ : state) {
    auto store = SqliteStore::Open(path, options);
    if (!store.ok()) {
      state.SkipWithError("cannot open the store");
      break;
    }
    absl::Mutex mu;
    std::atomic<int> failures{0};
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        std::vector<double> mine;
        mine.reserve(per_thread);
        for (int i = 0; i < per_thread; ++i) {
          NewCase c = MakeCase(absl::StrCat("B", run, "-", t, "-", i));
          absl::Time start = absl::Now();
          if (!(*store)->CreateCase(c).ok()) ++failures;
          mine.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
        }
        absl::MutexLock lock(&mu);
        latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
      });
    }
    for (std::thread& t : pool) t.join();
    stats = (*store)->GetStats();
    ++run;
    if (failures.load() > 0) state.SkipWithError("a create failed");
  }
  const double creates = static_cast<double>(latencies_ms.size());
  state.SetItemsProcessed(static_cast<int64_t>(creates));
  state.counters["creates_per_s"] =
      benchmark::Counter(creates, benchmark::Counter::kIsRate);
  state.counters["p50_ms"] = Percentile(latencies_ms, 0.50);
  state.counters["p99_ms"] = Percentile(latencies_ms, 0.99);
  state.counters["writes_per_commit"] =
      stats.commits > 0 ? static_cast<double>(stats.writes) /
                              static_cast<double>(stats.commits)
                        : 0;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    unlink((path + suffix).c_str());
  }
  rmdir(dir.c_str());
}
BENCHMARK(BM_CreateCase)
    ->ArgNames({"threads", "per_thread", "window_us", "checkpoint_ms"})
    ->Args({1, 500, 1000, 100})  // the defaults
    ->Args({8, 500, 1000, 100})
    ->Args({32, 250, 1000, 100})
    ->Args({32, 250, 0, 100})   // no batch window
    ->Args({32, 250, 1000, 0})  // checkpoints inside commits
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kuromaru::store
