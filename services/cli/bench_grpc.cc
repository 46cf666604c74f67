// `kuromaru bench grpc`: a load client for a running server. Receipts from a
// JSON Lines file are sent with fresh receipt ids (so that every request
// creates a case and its durable write), by unary Reconcile calls from many
// threads or over ReconcileStream, and throughput and latency percentiles are
// reported.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "base/json.h"
#include "kuromaru/v1/reconcile.grpc.pb.h"
#include "services/cli/client_flags.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/io/receipts.h"
#include "services/reconcile/receipt_validation.h"

namespace kuromaru::cli {
namespace {

struct LoadFlags {
  grpc_service::ClientOptions client;
  std::string receipts_path;
  std::string mode = "unary";
  int64_t concurrency = 64;
  int64_t streams = 4;
  int64_t window = 512;
  int64_t count = 30000;
  std::string json_path;
};

// Latencies and outcomes of one run.
class Recorder {
 public:
  void Add(absl::Duration latency, grpc::StatusCode code) {
    absl::MutexLock lock(&mu_);
    latencies_us_.push_back(absl::ToInt64Microseconds(latency));
    ++codes_[code];
  }

  std::string Report(const std::string& mode, absl::Duration elapsed,
                     const std::string& json_path) {
    absl::MutexLock lock(&mu_);
    std::sort(latencies_us_.begin(), latencies_us_.end());
    auto pct = [&](double p) -> double {
      if (latencies_us_.empty()) return 0;
      size_t i = static_cast<size_t>(p * (latencies_us_.size() - 1));
      return latencies_us_[i] / 1000.0;
    };
    const double seconds = absl::ToDoubleSeconds(elapsed);
    const double rate = latencies_us_.size() / seconds;
    int64_t errors = 0;
    base::Json codes = base::Json::object();
    for (const auto& [code, n] : codes_) {
      if (code != grpc::StatusCode::OK) errors += n;
      codes[absl::StrCat(static_cast<int>(code))] = n;
    }
    std::string text = absl::StrFormat(
        "%s: %d requests in %.2f s: %.0f receipts/s; latency ms p50 %.2f "
        "p90 %.2f p99 %.2f p99.9 %.2f max %.2f; errors %d\n",
        mode, latencies_us_.size(), seconds, rate, pct(0.5), pct(0.9),
        pct(0.99), pct(0.999), pct(1.0), errors);
    if (!json_path.empty()) {
      auto rounded = [](double v, double scale) {
        return std::round(v * scale) / scale;
      };
      base::Json report;
      report["mode"] = mode;
      report["requests"] = latencies_us_.size();
      report["seconds"] = rounded(seconds, 1e3);
      report["per_second"] = rounded(rate, 1e1);
      report["p50_ms"] = rounded(pct(0.5), 1e3);
      report["p90_ms"] = rounded(pct(0.9), 1e3);
      report["p99_ms"] = rounded(pct(0.99), 1e3);
      report["p999_ms"] = rounded(pct(0.999), 1e3);
      report["max_ms"] = rounded(pct(1.0), 1e3);
      report["errors"] = errors;
      report["codes"] = std::move(codes);
      std::ofstream(json_path) << base::ToJsonText(report) << "\n";
    }
    return text;
  }

  int64_t errors() {
    absl::MutexLock lock(&mu_);
    int64_t n = 0;
    for (const auto& [code, count] : codes_) {
      if (code != grpc::StatusCode::OK) n += count;
    }
    return n;
  }

 private:
  absl::Mutex mu_;
  std::vector<int64_t> latencies_us_ ABSL_GUARDED_BY(mu_);
  std::map<grpc::StatusCode, int> codes_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::vector<v1::Receipt>> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path);
  std::vector<v1::Receipt> receipts;
  absl::Status s = io::ReadReceiptsJsonl(
      in,
      [&](int64_t, v1::Receipt& r) {
        if (reconcile::ValidateReceipt(r).empty()) receipts.push_back(r);
        return true;
      },
      [](int64_t, const std::string&) { return true; });
  if (!s.ok()) return s;
  if (receipts.empty()) return absl::InvalidArgumentError("no valid receipts");
  return receipts;
}

// The i-th request: a receipt of the file under an id no run used before.
v1::ReconcileRequest RequestFor(const std::vector<v1::Receipt>& receipts,
                                const std::string& run, int64_t i) {
  v1::ReconcileRequest request;
  *request.mutable_receipt() = receipts[i % receipts.size()];
  request.mutable_receipt()->set_receipt_id(absl::StrFormat("%s-%d", run, i));
  return request;
}

void RunUnary(const grpc_service::Client& client, const LoadFlags& f,
              const std::vector<v1::Receipt>& receipts, const std::string& run,
              Recorder* recorder) {
  std::atomic<int64_t> next{0};
  std::vector<std::thread> threads;
  threads.reserve(f.concurrency);
  for (int t = 0; t < f.concurrency; ++t) {
    threads.emplace_back([&] {
      auto stub = v1::ReconcileService::NewStub(client.channel());
      for (int64_t i = next++; i < f.count; i = next++) {
        v1::ReconcileRequest request = RequestFor(receipts, run, i);
        v1::ReconcileResponse response;
        grpc::ClientContext context;
        client.Prepare(&context, std::chrono::seconds(30));
        const absl::Time start = absl::Now();
        grpc::Status status = stub->Reconcile(&context, request, &response);
        recorder->Add(absl::Now() - start, status.error_code());
      }
    });
  }
  for (std::thread& t : threads) t.join();
}

void RunStream(const grpc_service::Client& client, const LoadFlags& f,
               const std::vector<v1::Receipt>& receipts, const std::string& run,
               Recorder* recorder) {
  std::vector<std::thread> threads;
  threads.reserve(f.streams);
  const int64_t per_stream = f.count / f.streams;
  for (int s = 0; s < f.streams; ++s) {
    threads.emplace_back([&, s] {
      auto stub = v1::ReconcileService::NewStub(client.channel());
      grpc::ClientContext context;
      client.Prepare(&context, std::chrono::minutes(30));
      auto stream = stub->ReconcileStream(&context);
      // Answers come in request order: the send times queue up in order. At
      // most f.window requests are unanswered, so that a latency is the
      // service's, not the time a request waited in the client's own buffers.
      absl::Mutex mu;
      std::vector<absl::Time> sent(per_stream);
      int64_t answered = 0;
      std::thread writer([&] {
        for (int64_t i = 0; i < per_stream; ++i) {
          v1::ReconcileRequest request =
              RequestFor(receipts, run, s * per_stream + i);
          {
            absl::MutexLock lock(&mu);
            auto room = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu) {
              return i - answered < f.window;
            };
            mu.Await(absl::Condition(&room));
            sent[i] = absl::Now();
          }
          if (!stream->Write(request)) break;
        }
        stream->WritesDone();
      });
      v1::ReconcileResponse response;
      for (int64_t i = 0; stream->Read(&response); ++i) {
        absl::Time at;
        {
          absl::MutexLock lock(&mu);
          at = sent[i];
          answered = i + 1;
        }
        recorder->Add(absl::Now() - at,
                      static_cast<grpc::StatusCode>(response.status().code()));
      }
      {
        absl::MutexLock lock(&mu);
        answered = per_stream;  // the stream ended: the writer stops waiting
      }
      writer.join();
      grpc::Status status = stream->Finish();
      if (!status.ok()) {
        std::fprintf(stderr, "stream %d: %s\n", s,
                     status.error_message().c_str());
      }
    });
  }
  for (std::thread& t : threads) t.join();
}

}  // namespace

int RunBenchGrpc(const std::vector<std::string>& args) {
  LoadFlags f;
  Flags flags(
      "kuromaru bench grpc --server HOST:PORT --token-file FILE --receipts "
      "FILE [--mode unary|stream]",
      "Loads a running server with Reconcile calls (role claims) and reports\n"
      "throughput and latency percentiles. Each request carries a fresh\n"
      "receipt id, so every one is matched and stored durably.");
  AddClientFlags(flags, &f.client);
  flags.String("receipts", &f.receipts_path, "receipts, JSON Lines");
  flags.String("mode", &f.mode,
               "unary (Reconcile) or stream (ReconcileStream)");
  flags.Int("concurrency", &f.concurrency, "unary: calls in flight");
  flags.Int("streams", &f.streams, "stream: concurrent streams");
  flags.Int("window", &f.window, "stream: unanswered requests per stream");
  flags.Int("count", &f.count, "requests in all");
  flags.String("json", &f.json_path, "also write the figures as JSON here");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  if (f.receipts_path.empty() || (f.mode != "unary" && f.mode != "stream") ||
      f.concurrency < 1 || f.streams < 1 || f.window < 1 || f.count < 1) {
    std::fprintf(stderr, "kuromaru bench grpc: bad flags\n%s",
                 flags.Usage().c_str());
    return kExitUsage;
  }
  auto receipts = ReadAll(f.receipts_path);
  if (!receipts.ok()) {
    std::fprintf(stderr, "kuromaru bench grpc: %s\n",
                 receipts.status().ToString().c_str());
    return kExitCannotRun;
  }
  auto client = grpc_service::Client::Connect(f.client);
  if (!client.ok()) {
    std::fprintf(stderr, "kuromaru bench grpc: %s\n",
                 client.status().ToString().c_str());
    return kExitCannotRun;
  }
  // The clock starts once the channel is connected, and a moment later, so
  // that a round-robin target (several replicas) has every address ready:
  // otherwise the first calls, and every stream, go to whichever replica
  // answered first.
  if (!client->channel()->WaitForConnected(
          absl::ToChronoTime(absl::Now() + absl::Seconds(10)))) {
    std::fprintf(stderr, "kuromaru bench grpc: cannot connect to %s\n",
                 f.client.server.c_str());
    return kExitCannotRun;
  }
  absl::SleepFor(absl::Milliseconds(500));
  absl::BitGen gen;
  const std::string run =
      absl::StrFormat("bench-%08x", absl::Uniform<uint32_t>(gen));
  Recorder recorder;
  const absl::Time start = absl::Now();
  if (f.mode == "unary") {
    RunUnary(*client, f, *receipts, run, &recorder);
  } else {
    RunStream(*client, f, *receipts, run, &recorder);
  }
  std::printf(
      "%s", recorder.Report(f.mode, absl::Now() - start, f.json_path).c_str());
  return recorder.errors() > 0 ? kExitFailure : kExitOk;
}

}  // namespace kuromaru::cli
