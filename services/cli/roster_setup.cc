#include "services/cli/roster_setup.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "normalizer/status_macros.h"
#include "services/io/log.h"
#include "services/io/match_result.h"
#include "services/io/receipts.h"

namespace kuromaru::cli {
namespace {

absl::StatusOr<matcher::Model> LoadModel(const std::string& path) {
  if (path.empty()) return matcher::Model::Default();
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::NotFoundError(absl::StrCat("cannot read model file ", path));
  std::stringstream text;
  text << in.rdbuf();
  auto model = matcher::ParseModel(text.str());
  if (!model.ok()) {
    return absl::Status(model.status().code(),
                        absl::StrCat(path, ": ", model.status().message()));
  }
  return model;
}

// Every rejected row that the report kept, with its line number, and how many
// more.
void PrintRowErrors(const std::string& path,
                    const io::RosterLoadReport& report) {
  for (const io::RowError& e : report.errors) {
    std::fprintf(stderr, "%s:%lld: %s\n", path.c_str(),
                 static_cast<long long>(e.line), e.reason.c_str());
  }
  const int64_t unlisted =
      report.rows_rejected - static_cast<int64_t>(report.errors.size());
  if (unlisted > 0) {
    std::fprintf(stderr, "%s: %lld more rejected rows not listed\n",
                 path.c_str(), static_cast<long long>(unlisted));
  }
}

}  // namespace

absl::StatusOr<LoadedMatcher> LoadMatcher(
    const std::string& roster_path, const io::RosterLoadOptions& load_options,
    const std::string& model_path, const matcher::MatcherOptions& options,
    const std::vector<std::string>& delta_paths) {
  LoadedMatcher out;
  ASSIGN_OR_RETURN(matcher::Model model, LoadModel(model_path));
  out.model_source = model_path.empty() ? "built-in default model" : model_path;
  out.model_version = matcher::ModelVersion(model);

  absl::Time start = absl::Now();
  auto roster = io::LoadRosterCsv(roster_path, load_options, &out.report);
  PrintRowErrors(roster_path, out.report);
  if (!roster.ok()) return roster.status();
  for (const std::string& delta_path : delta_paths) {
    io::RosterLoadReport delta_report;
    auto next = io::ApplyRosterDeltaCsv(**roster, delta_path, load_options,
                                        &delta_report);
    PrintRowErrors(delta_path, delta_report);
    if (!next.ok()) return next.status();
    roster = std::move(next);
    const matcher::DeltaStats& d = delta_report.delta;
    io::Log(io::LogLevel::kInfo, "roster delta applied",
            {{"inserted", d.inserted},
             {"updated", d.updated},
             {"deleted", d.deleted},
             {"delete_not_found", d.delete_not_found},
             {"rejected", delta_report.rows_rejected}});
    out.report.counts = delta_report.counts;
    out.report.version = delta_report.version;
  }
  out.load_seconds = absl::ToDoubleSeconds(absl::Now() - start);

  start = absl::Now();
  ASSIGN_OR_RETURN(auto index, matcher::RosterIndex::Build(*std::move(roster)));
  ASSIGN_OR_RETURN(
      out.matcher,
      matcher::Matcher::Create(std::move(index), std::move(model), options));
  out.index_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const matcher::RosterCounts& c = out.report.counts;
  io::Log(io::LogLevel::kInfo, "roster loaded",
          {{"version", out.report.version},
           {"rows", c.rows},
           {"rejected", out.report.rows_rejected},
           {"persons", c.persons},
           {"insurers", c.insurers},
           {"rows_with_wildcards", c.rows_with_wildcards},
           {"load_seconds", out.load_seconds},
           {"index_seconds", out.index_seconds}});
  return out;
}

absl::StatusOr<matcher::EmResult> FitEmOnReceipts(
    const matcher::Matcher& matcher, const std::string& receipts_path,
    int64_t sample, int64_t* receipts_used) {
  std::ifstream in(receipts_path, std::ios::binary);
  if (!in)
    return absl::NotFoundError(absl::StrCat("cannot read ", receipts_path));
  std::vector<matcher::ComparisonVector> vectors;
  int64_t used = 0;
  RETURN_IF_ERROR(io::ReadReceiptsJsonl(
      in,
      [&](int64_t, v1::Receipt& receipt) {
        if (!io::ValidateReceipt(receipt).empty()) return true;
        matcher.AppendComparisonVectors(io::TextOf(receipt), &vectors);
        return ++used < sample;
      },
      [](int64_t, const std::string&) { return true; }));
  *receipts_used = used;
  return matcher::FitEm(matcher.model(), vectors, matcher::EmOptions());
}

}  // namespace kuromaru::cli
