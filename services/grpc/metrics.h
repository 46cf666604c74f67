// Prometheus metrics of the server, served over HTTP at /metrics.
//
//   kuromaru_requests_total{method,code}        RPCs finished
//   kuromaru_request_seconds{method}            latency histogram
//   kuromaru_match_decisions_total{decision}    fresh matches by decision
//   kuromaru_cases{state}                       cases in the store by state
//   kuromaru_roster_rows, _persons              the roster in service
//   kuromaru_roster_info{roster_version,model_version}  1 for the one in
//                                               service
//   kuromaru_roster_loaded                      0 while no roster is loaded
//   kuromaru_store_writes_total                 writes to the store
//   kuromaru_store_commits_total                their transactions: writes
//                                               per commit is how well
//                                               group commit shares fsyncs
//
// Thread-safe.
#ifndef KUROMARU_SERVICES_GRPC_METRICS_H_
#define KUROMARU_SERVICES_GRPC_METRICS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"
#include "kuromaru/v1/case.pb.h"
#include "kuromaru/v1/match.pb.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "services/store/case_store.h"

namespace prometheus {
class Collectable;
class Exposer;
}  // namespace prometheus

namespace kuromaru::grpc_service {

class Metrics {
 public:
  Metrics();
  ~Metrics();

  // Serves /metrics on `address` (HOST:PORT). UNAVAILABLE when it cannot
  // bind. Call at most once.
  absl::Status Serve(const std::string& address);
  // Reports `store`'s writes and commits at every scrape. Call before
  // Serve; `store` outlives this.
  void WatchStore(const store::CaseStore* store);
  // The port /metrics is served on; 0 before Serve.
  int port() const;

  void RecordRequest(std::string_view method, grpc::StatusCode code,
                     absl::Duration latency);
  void RecordDecision(v1::Decision decision);
  void SetCases(const std::map<v1::CaseState, int64_t>& counts);
  void SetRoster(const std::string& roster_version,
                 const std::string& model_version, int64_t rows,
                 int64_t persons);

  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& decisions_;
  prometheus::Family<prometheus::Gauge>& cases_;
  prometheus::Gauge& roster_rows_;
  prometheus::Gauge& roster_persons_;
  prometheus::Gauge& roster_loaded_;
  prometheus::Family<prometheus::Gauge>& roster_info_;

  absl::Mutex mu_;
  // The histogram of each method, made once (Family::Add takes a lock and
  // hashes the labels; the hot path should not).
  std::map<std::string, prometheus::Histogram*, std::less<>> histograms_
      ABSL_GUARDED_BY(mu_);
  prometheus::Gauge* info_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::shared_ptr<prometheus::Collectable> store_stats_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_METRICS_H_
