// `kuromaru gen`: a realistic synthetic roster, receipts and their ground
// truth, for demos, tests and measuring the matcher.
//
//   GenOptions options;
//   options.persons = 100000;
//   options.receipts = 20000;
//   options.out_dir = "/tmp/demo";
//   absl::StatusOr<GenSummary> summary = Generate(options);
//
// Writes into out_dir (which must exist):
//   roster.csv        FORMATS.md §1, one row per enrollment
//   receipts.jsonl    FORMATS.md §2
//   truth.jsonl       one line per receipt, in the same order (see Truth)
//   directory.csv     FORMATS.md §4, every synthetic insurer
//   roster-cp932.csv  with `cp932`: roster.csv in CP932, 外字 in F040–F9FC
// What the data contains, and at which rates, is in world.h (persons and
// their enrollments), policy.h (how each insurer stores names), receipts.h
// (receipt categories) and profile.h (the two configurations: default and
// heldout). The same options and seed give byte-identical files. Households are
// built one at a time and rebuilt on demand, so memory stays small (a few bytes
// per person) for millions of persons. Names come from mecab-ipadic, addresses
// from skkdic-extra, read at run time (sources.h).
#ifndef KUROMARU_SERVICES_GEN_GENERATOR_H_
#define KUROMARU_SERVICES_GEN_GENERATOR_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "services/gen/policy.h"
#include "services/gen/receipts.h"
#include "services/gen/sources.h"
#include "services/gen/world.h"

namespace kuromaru::gen {

struct GenOptions {
  // Persons in the roster's households. Default: 1000.
  int64_t persons = 1000;
  // Receipts to write. Default: 1000.
  int64_t receipts = 1000;
  uint64_t seed = 1;
  std::string out_dir;
  // Also write roster-cp932.csv. Default: false.
  bool cp932 = false;
  SourcePaths sources;
  // The rates; the defaults are the default profile's (profile.h).
  WorldOptions world;
  PolicyMix policies;
  ReceiptMix mix;
};

struct GenSummary {
  int64_t persons = 0;
  int64_t households = 0;
  int64_t roster_rows = 0;
  int64_t insurers = 0;
  int64_t receipts = 0;
  std::map<std::string, int64_t> receipts_by_category;
};

// Loads the sources and generates. Returns InvalidArgument for persons < 1,
// receipts < 0 or an empty out_dir, NotFound for a missing source file,
// and Unavailable/DataLoss when a file cannot be written.
absl::StatusOr<GenSummary> Generate(const GenOptions& options);

// The same with sources already loaded (LoadSources), e.g. shared by tests.
absl::StatusOr<GenSummary> Generate(const GenOptions& options,
                                    const Sources& sources);

// Counts as lines of text, categories in CategoryName order.
std::string FormatSummary(const GenSummary& summary);

}  // namespace kuromaru::gen

#endif  // KUROMARU_SERVICES_GEN_GENERATOR_H_
