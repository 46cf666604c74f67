// `kuromaru import`: a backlog of receipts (JSON Lines, or a レセ電 UKE file)
// matched and stored as cases, idempotent on receipt_id.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/parallel.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/cli/progress.h"
#include "services/cli/roster_setup.h"
#include "services/cli/store_flags.h"
#include "services/io/receipts.h"
#include "services/io/uke.h"
#include "services/reconcile/match.h"

namespace kuromaru::cli {
namespace {

// Receipts matched and written at a time; two chunks are in flight.
constexpr size_t kChunk = 4096;

struct Item {
  int64_t line = 0;
  v1::Receipt receipt;
  v1::MatchResult result;
  std::string problem;  // why it was not stored; no personal data
  enum { kNew, kReplayed, kConflict, kFailed } outcome = kFailed;
  v1::CaseState state = v1::CASE_STATE_UNSPECIFIED;
};

struct Counts {
  int64_t receipts = 0;
  int64_t auto_resolved = 0, pending_review = 0, unmatched = 0;
  int64_t already_present = 0, conflicts = 0, invalid = 0, failed = 0;
  int64_t problems() const { return conflicts + invalid + failed; }
};

class Importer {
 public:
  Importer(std::string source, store::CaseStore& store,
           const reconcile::Engine& engine, int threads, int64_t max_errors)
      : source_(std::move(source)),
        store_(store),
        engine_(engine),
        threads_(threads),
        max_errors_(max_errors) {}
  ~Importer() { Drain(); }

  // Takes the receipt read at `line`; false once too many errors were seen.
  bool Add(int64_t line, v1::Receipt receipt) {
    filling_.push_back({line, std::move(receipt)});
    if (filling_.size() >= kChunk) Flush();
    return counts_.problems() <= max_errors_;
  }

  // A line that is not a receipt at all.
  bool Reject(int64_t line, const std::string& reason) {
    std::fprintf(stderr, "%s:%lld: %s\n", source_.c_str(),
                 static_cast<long long>(line), reason.c_str());
    ++counts_.receipts;
    ++counts_.invalid;
    return counts_.problems() <= max_errors_;
  }

  const Counts& Finish() {
    Flush();
    Drain();
    return counts_;
  }

  void set_progress(Progress* progress) { progress_ = progress; }

 private:
  void Match(std::vector<Item>& items) const {
    std::vector<const v1::Receipt*> receipts;
    receipts.reserve(items.size());
    for (const Item& it : items) receipts.push_back(&it.receipt);
    std::vector<reconcile::ReceiptOutcome> outcomes;
    reconcile::MatchBatch(engine_, receipts, {.threads = threads_}, &outcomes);
    for (size_t i = 0; i < items.size(); ++i) {
      if (outcomes[i].matched()) {
        items[i].result = std::move(outcomes[i].result);
      } else {
        items[i].problem =
            reconcile::DescribeViolations(outcomes[i].violations);
      }
    }
  }

  // One durable write for the chunk's matched receipts, in file order: a
  // receipt_id repeated in the chunk is written after its first occurrence,
  // so that the earlier line wins.
  void Store(std::vector<Item>& items) {
    std::vector<store::NewCase> cases;
    std::vector<Item*> stored;
    for (Item& it : items) {
      if (!it.problem.empty()) continue;
      cases.push_back(
          {it.receipt,
           it.result,
           {"import", "claims", absl::StrCat("import-", it.line), ""}});
      stored.push_back(&it);
    }
    std::vector<absl::StatusOr<store::CaseWrite>> written =
        store_.CreateCases(std::move(cases));
    for (size_t i = 0; i < stored.size(); ++i) {
      Item& it = *stored[i];
      if (written[i].ok()) {
        it.outcome = written[i]->replayed ? Item::kReplayed : Item::kNew;
        it.state = written[i]->stored.state();
      } else if (absl::IsAlreadyExists(written[i].status())) {
        it.outcome = Item::kConflict;
        it.problem = absl::StrCat("receipt_id ", it.receipt.receipt_id(),
                                  " is stored with a different receipt");
      } else {
        it.problem = std::string(written[i].status().message());
      }
    }
  }

  // Matches the filled chunk here while the previous one is being written.
  void Flush() {
    if (filling_.empty()) return;
    Match(filling_);
    Drain();
    writing_ = std::move(filling_);
    filling_.clear();
    writer_ = std::thread([this] { Store(writing_); });
  }

  void Drain() {
    if (!writer_.joinable()) return;
    writer_.join();
    for (const Item& it : writing_) Count(it);
    writing_.clear();
    if (progress_ != nullptr) progress_->Update(counts_.receipts);
  }

  void Count(const Item& it) {
    ++counts_.receipts;
    if (!it.problem.empty()) {
      std::fprintf(stderr, "%s:%lld: %s\n", source_.c_str(),
                   static_cast<long long>(it.line), it.problem.c_str());
    }
    if (it.outcome == Item::kReplayed) {
      ++counts_.already_present;
    } else if (it.outcome == Item::kConflict) {
      ++counts_.conflicts;
    } else if (it.outcome == Item::kFailed) {
      ++(it.result.receipt_id().empty() ? counts_.invalid : counts_.failed);
    } else if (it.state == v1::CASE_STATE_AUTO_RESOLVED) {
      ++counts_.auto_resolved;
    } else if (it.state == v1::CASE_STATE_PENDING_REVIEW) {
      ++counts_.pending_review;
    } else {
      ++counts_.unmatched;
    }
  }

  const std::string source_;
  store::CaseStore& store_;
  const reconcile::Engine& engine_;
  const int threads_;
  const int64_t max_errors_;
  Progress* progress_ = nullptr;
  std::vector<Item> filling_, writing_;
  std::thread writer_;
  Counts counts_;
};

void PrintSummary(const Counts& c, absl::Duration elapsed) {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  std::printf("receipts         %lld in %.2f s (%.0f/s)\n",
              static_cast<long long>(c.receipts), seconds,
              seconds > 0 ? c.receipts / seconds : 0.0);
  const int64_t stored = c.auto_resolved + c.pending_review + c.unmatched;
  std::printf(
      "stored           %lld (auto_resolved %lld, pending_review "
      "%lld, unmatched %lld)\n",
      static_cast<long long>(stored), static_cast<long long>(c.auto_resolved),
      static_cast<long long>(c.pending_review),
      static_cast<long long>(c.unmatched));
  std::printf("already_present  %lld\n",
              static_cast<long long>(c.already_present));
  std::printf("conflicts        %lld (a known receipt_id, another receipt)\n",
              static_cast<long long>(c.conflicts));
  std::printf("invalid          %lld (not receipts, or not matchable)\n",
              static_cast<long long>(c.invalid));
  std::printf("errors           %lld (store failures)\n",
              static_cast<long long>(c.failed));
}

int64_t CountLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  int64_t n = 0;
  char buf[1 << 16];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    n += std::count(buf, buf + in.gcount(), '\n');
  }
  return n;
}

// Reads the input into `importer`; returns an exit code when it cannot.
std::optional<int> Feed(const std::string& jsonl, const std::string& uke,
                        Importer& importer) {
  if (!uke.empty()) {
    absl::StatusOr<io::UkeFile> file = io::ReadUkeFile(uke);
    if (!file.ok()) {
      std::fprintf(stderr, "kuromaru import: %s\n",
                   std::string(file.status().message()).c_str());
      return absl::IsNotFound(file.status()) ? kExitCannotRun : kExitFailure;
    }
    for (const io::UkeError& e : file->errors)
      importer.Reject(e.line, e.reason);
    for (io::UkeReceipt& r : file->receipts) {
      if (!importer.Add(r.line, std::move(r.receipt))) break;
    }
    return std::nullopt;
  }
  std::ifstream in(jsonl, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "kuromaru import: cannot read %s\n", jsonl.c_str());
    return kExitCannotRun;
  }
  absl::Status read = io::ReadReceiptsJsonl(
      in,
      [&](int64_t line, v1::Receipt& r) {
        return importer.Add(line, std::move(r));
      },
      [&](int64_t line, const std::string& reason) {
        return importer.Reject(line, reason);
      });
  if (!read.ok()) {
    std::fprintf(stderr, "kuromaru import: %s\n", read.ToString().c_str());
    return kExitFailure;
  }
  return std::nullopt;
}

}  // namespace

int RunImport(const std::vector<std::string>& args) {
  StoreFlags store_flags;
  std::string jsonl, uke;
  int64_t threads = 0, max_errors = 1000;
  StoreRosterFlags roster_flags;
  Flags flags(
      "kuromaru import --store FILE|DSN (--receipts FILE.jsonl | --uke FILE) "
      "[flags]",
      "Matches every receipt (FORMATS.md §2, or a レセ電 RECEIPTC.UKE file) "
      "against the\nstore's active roster (or --roster) and stores it as a "
      "case. A receipt_id already\nstored with the same receipt counts as "
      "already present; bad lines are reported\nwith their numbers. Exit 0: "
      "all stored; 1: some lines were not; 3: could not run.");
  store_flags.Register(flags);
  flags.String("receipts", &jsonl, "receipts, JSON Lines");
  flags.String("uke", &uke, "receipts, レセ電 file (CP932)");
  roster_flags.Register(flags);
  flags.Int("threads", &threads, "matching threads (0: one per core)");
  flags.Int("max-errors", &max_errors,
            "stop after this many lines that could not be stored");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  if (!store_flags.given() || jsonl.empty() == uke.empty()) {
    std::fprintf(stderr,
                 "kuromaru import: --store and one of --receipts or --uke "
                 "are required\n\n%s",
                 flags.Usage().c_str());
    return kExitUsage;
  }
  std::unique_ptr<store::CaseStore> store;
  if (int exit = OpenStoreOrExit("import", store_flags, {}, &store)) {
    return exit;
  }
  std::shared_ptr<const reconcile::Engine> engine;
  if (int exit = LoadStoreRoster("import", roster_flags, *store, &engine)) {
    return exit;
  }
  if (!roster_flags.roster.empty()) {
    if (int exit = RecordRosterIfNone("import", *store, *engine)) return exit;
  }
  const int workers =
      threads > 0 ? static_cast<int>(threads) : base::HardwareThreads();
  const absl::Time start = absl::Now();
  Counts counts;
  {
    Progress progress("importing", uke.empty() ? CountLines(jsonl) : 0);
    Importer importer(uke.empty() ? jsonl : uke, *store, *engine, workers,
                      max_errors);
    importer.set_progress(&progress);
    if (auto exit = Feed(jsonl, uke, importer)) return *exit;
    counts = importer.Finish();
  }
  PrintSummary(counts, absl::Now() - start);
  if (counts.problems() > max_errors) {
    std::fprintf(stderr, "kuromaru import: stopped after %lld errors\n",
                 static_cast<long long>(counts.problems()));
  }
  return counts.problems() > 0 ? kExitFailure : kExitOk;
}

}  // namespace kuromaru::cli
