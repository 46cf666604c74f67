#include "services/reconcile/batch_match.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/parallel.h"
#include "normalizer/text.h"
#include "normalizer/utf8.h"
#include "services/io/proto_json.h"
#include "services/reconcile/match.h"
#include "services/reconcile/proto_conversion.h"

namespace kuromaru::reconcile {
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

Outcome MatchLine(const Engine& engine, const Line& line) {
  Outcome o;
  v1::MatchResult result;
  v1::Receipt receipt;
  if (!normalizer::IsValidUtf8(line.text)) {
    result =
        ErrorResult("", absl::StrCat("line ", line.number, ": invalid UTF-8"));
  } else if (absl::Status s = io::FromJson(line.text, &receipt); !s.ok()) {
    result =
        ErrorResult("", absl::StrCat("line ", line.number, ": ", s.message()));
  } else if (ReceiptOutcome m = MatchReceipt(engine, receipt); !m.matched()) {
    result = ErrorResult(receipt.receipt_id(),
                         absl::StrCat("line ", line.number, ": ",
                                      DescribeViolations(m.violations)));
  } else {
    o.candidates = m.candidates_considered;
    result = std::move(m.result);
  }
  o.error = !result.error().empty();
  o.decision = result.decision();
  o.json = io::ToJsonLine(result);
  o.json.push_back('\n');
  return o;
}

// Reads up to `max` non-blank lines.
void ReadChunk(std::istream& in, int max, int64_t* line_number,
               std::vector<Line>* lines) {
  lines->clear();
  std::string text;
  while (static_cast<int>(lines->size()) < max && std::getline(in, text)) {
    ++*line_number;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (normalizer::TrimSpaces(text).empty()) continue;
    lines->push_back({*line_number, std::move(text)});
  }
}

void Count(const Outcome& o, BatchSummary* summary) {
  ++summary->receipts;
  summary->candidates += o.candidates;
  if (o.error) ++summary->errors;
  switch (o.decision) {
    case v1::DECISION_AUTO_MATCH:
      ++summary->auto_match;
      break;
    case v1::DECISION_REVIEW:
      ++summary->review;
      break;
    default:
      ++summary->no_match;
      break;
  }
}

}  // namespace

absl::StatusOr<BatchSummary> MatchJsonl(const Engine& engine, std::istream& in,
                                        std::ostream& out,
                                        const BatchOptions& options) {
  const absl::Time start = absl::Now();
  BatchSummary summary;
  std::vector<Line> lines;
  std::vector<Outcome> outcomes;
  int64_t line_number = 0;
  while (in) {
    ReadChunk(in, options.chunk_lines, &line_number, &lines);
    if (lines.empty()) break;
    outcomes.assign(lines.size(), Outcome());
    base::ParallelFor(lines.size(), options.threads, [&](size_t i) {
      outcomes[i] = MatchLine(engine, lines[i]);
    });
    for (const Outcome& o : outcomes) {
      out.write(o.json.data(), static_cast<std::streamsize>(o.json.size()));
      Count(o, &summary);
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

}  // namespace kuromaru::reconcile
