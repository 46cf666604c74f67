#include "services/grpc/metrics.h"

#include <cstdint>
#include <exception>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "prometheus/collectable.h"
#include "prometheus/exposer.h"
#include "prometheus/metric_family.h"

namespace kuromaru::grpc_service {
namespace {

// Latency buckets, seconds: a match takes about 100 µs, a durable write a
// few milliseconds.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* const buckets =
      new prometheus::Histogram::BucketBoundaries{
          0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
          0.1,    0.25,  0.5,   1,     2.5,  10};
  return *buckets;
}

const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i < 17 ? kNames[i] : "UNKNOWN";
}

// The store's counters, read when scraped.
class StoreStatsCollectable final : public prometheus::Collectable {
 public:
  explicit StoreStatsCollectable(const store::CaseStore* store)
      : store_(store) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    const store::StoreStats stats = store_->GetStats();
    auto family = [](const char* name, const char* help, int64_t value) {
      prometheus::MetricFamily f;
      f.name = name;
      f.help = help;
      f.type = prometheus::MetricType::Counter;
      f.metric.emplace_back().counter.value = static_cast<double>(value);
      return f;
    };
    return {
        family("kuromaru_store_writes_total",
               "Writes to the case store, failed ones included", stats.writes),
        family("kuromaru_store_commits_total",
               "Transactions committed; group commit puts many writes "
               "in one",
               stats.commits)};
  }

 private:
  const store::CaseStore* const store_;
};

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("kuromaru_requests_total")
                    .Help("RPCs finished, by method and status code")
                    .Register(*registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("kuromaru_request_seconds")
                   .Help("RPC latency, seconds, by method")
                   .Register(*registry_)),
      decisions_(prometheus::BuildCounter()
                     .Name("kuromaru_match_decisions_total")
                     .Help("Fresh matches, by decision")
                     .Register(*registry_)),
      cases_(prometheus::BuildGauge()
                 .Name("kuromaru_cases")
                 .Help("Cases in the store, by state")
                 .Register(*registry_)),
      roster_rows_(prometheus::BuildGauge()
                       .Name("kuromaru_roster_rows")
                       .Help("Enrollments in the roster in service")
                       .Register(*registry_)
                       .Add({})),
      roster_persons_(prometheus::BuildGauge()
                          .Name("kuromaru_roster_persons")
                          .Help("Persons in the roster in service")
                          .Register(*registry_)
                          .Add({})),
      roster_loaded_(prometheus::BuildGauge()
                         .Name("kuromaru_roster_loaded")
                         .Help("1 once a roster is in service")
                         .Register(*registry_)
                         .Add({})),
      roster_info_(prometheus::BuildGauge()
                       .Name("kuromaru_roster_info")
                       .Help("1 for the roster and model versions in service")
                       .Register(*registry_)) {}

Metrics::~Metrics() = default;

absl::Status Metrics::Serve(const std::string& address) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address, 2);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  if (store_stats_ != nullptr) exposer_->RegisterCollectable(store_stats_);
  return absl::OkStatus();
}

void Metrics::WatchStore(const store::CaseStore* store) {
  store_stats_ = std::make_shared<StoreStatsCollectable>(store);
}

int Metrics::port() const {
  if (exposer_ == nullptr) return 0;
  std::vector<int> ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void Metrics::RecordRequest(std::string_view method, grpc::StatusCode code,
                            absl::Duration latency) {
  prometheus::Histogram* histogram;
  {
    absl::MutexLock lock(&mu_);
    auto it = histograms_.find(method);
    if (it == histograms_.end()) {
      it = histograms_
               .emplace(std::string(method),
                        &latency_.Add({{"method", std::string(method)}},
                                      LatencyBuckets()))
               .first;
    }
    histogram = it->second;
  }
  histogram->Observe(absl::ToDoubleSeconds(latency));
  requests_.Add({{"method", std::string(method)}, {"code", CodeName(code)}})
      .Increment();
}

void Metrics::RecordDecision(v1::Decision decision) {
  decisions_.Add({{"decision", v1::Decision_Name(decision)}}).Increment();
}

void Metrics::SetCases(const std::map<v1::CaseState, int64_t>& counts) {
  for (int s = v1::CaseState_MIN; s <= v1::CaseState_MAX; ++s) {
    if (!v1::CaseState_IsValid(s) || s == v1::CASE_STATE_UNSPECIFIED) continue;
    const auto state = static_cast<v1::CaseState>(s);
    auto it = counts.find(state);
    cases_.Add({{"state", v1::CaseState_Name(state)}})
        .Set(it == counts.end() ? 0 : static_cast<double>(it->second));
  }
}

void Metrics::SetRoster(const std::string& roster_version,
                        const std::string& model_version, int64_t rows,
                        int64_t persons) {
  roster_rows_.Set(static_cast<double>(rows));
  roster_persons_.Set(static_cast<double>(persons));
  roster_loaded_.Set(1);
  absl::MutexLock lock(&mu_);
  if (info_ != nullptr) roster_info_.Remove(info_);
  info_ = &roster_info_.Add(
      {{"roster_version", roster_version}, {"model_version", model_version}});
  info_->Set(1);
}

}  // namespace kuromaru::grpc_service
