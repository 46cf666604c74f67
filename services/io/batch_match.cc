#include "services/io/batch_match.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "normalizer/text.h"
#include "normalizer/utf8.h"
#include "services/io/match_result.h"
#include "services/io/proto_json.h"
#include "services/io/receipts.h"

namespace kuromaru::io {
namespace {

struct Line {
  int64_t number = 0;
  std::string text;
};

struct Outcome {
  std::string json;
  v1::Decision decision = v1::DECISION_UNSPECIFIED;
  bool error = false;
  int candidates = 0;
};

Outcome MatchLine(const matcher::Matcher& matcher, const Line& line,
                  const BatchOptions& options, v1::Receipt* receipt) {
  Outcome o;
  v1::MatchResult result;
  if (!normalizer::IsValidUtf8(line.text)) {
    result =
        ErrorResult("", absl::StrCat("line ", line.number, ": invalid UTF-8"));
  } else if (absl::Status s = FromJson(line.text, receipt); !s.ok()) {
    result =
        ErrorResult("", absl::StrCat("line ", line.number, ": ", s.message()));
  } else if (auto violations = ValidateReceipt(*receipt); !violations.empty()) {
    result = ErrorResult(receipt->receipt_id(),
                         absl::StrCat("line ", line.number, ": ",
                                      DescribeViolations(violations)));
  } else {
    const matcher::ReceiptMatch m = matcher.Match(TextOf(*receipt));
    o.candidates = m.candidates_considered;
    result = ToMatchResult(receipt->receipt_id(), m, options.roster_version,
                           options.model_version);
  }
  o.error = !result.error().empty();
  o.decision = result.decision();
  o.json = ToJsonLine(result);
  o.json.push_back('\n');
  return o;
}

// Matches lines[i] for every i this worker takes.
void MatchChunk(const matcher::Matcher& matcher, const std::vector<Line>& lines,
                const BatchOptions& options, std::atomic<size_t>* next,
                std::vector<Outcome>* outcomes) {
  v1::Receipt receipt;
  for (size_t i = next->fetch_add(1); i < lines.size();
       i = next->fetch_add(1)) {
    (*outcomes)[i] = MatchLine(matcher, lines[i], options, &receipt);
  }
}

}  // namespace

absl::StatusOr<BatchSummary> MatchJsonl(const matcher::Matcher& matcher,
                                        std::istream& in, std::ostream& out,
                                        const BatchOptions& options) {
  const absl::Time start = absl::Now();
  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1u, std::thread::hardware_concurrency());
  BatchSummary summary;
  std::vector<Line> lines;
  std::vector<Outcome> outcomes;
  int64_t line_number = 0;
  while (in) {
    lines.clear();
    std::string text;
    while (static_cast<int>(lines.size()) < options.chunk_lines &&
           std::getline(in, text)) {
      ++line_number;
      if (!text.empty() && text.back() == '\r') text.pop_back();
      if (normalizer::TrimSpaces(text).empty()) continue;
      lines.push_back({line_number, std::move(text)});
    }
    if (lines.empty()) break;
    outcomes.assign(lines.size(), Outcome());
    std::atomic<size_t> next{0};
    std::vector<std::thread> workers;
    for (int t = 1; t < threads; ++t) {
      workers.emplace_back(MatchChunk, std::cref(matcher), std::cref(lines),
                           std::cref(options), &next, &outcomes);
    }
    MatchChunk(matcher, lines, options, &next, &outcomes);
    for (std::thread& w : workers) w.join();
    for (const Outcome& o : outcomes) {
      out.write(o.json.data(), static_cast<std::streamsize>(o.json.size()));
      ++summary.receipts;
      summary.candidates += o.candidates;
      if (o.error) ++summary.errors;
      switch (o.decision) {
        case v1::DECISION_AUTO_MATCH:
          ++summary.auto_match;
          break;
        case v1::DECISION_REVIEW:
          ++summary.review;
          break;
        default:
          ++summary.no_match;
          break;
      }
    }
    if (!out) return absl::DataLossError("cannot write the results");
    if (options.progress) options.progress(summary.receipts);
  }
  if (in.bad()) return absl::DataLossError("read error on the receipts");
  out.flush();
  if (!out) return absl::DataLossError("cannot write the results");
  summary.elapsed = absl::Now() - start;
  return summary;
}

}  // namespace kuromaru::io
