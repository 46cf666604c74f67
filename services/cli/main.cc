// `kuromaru`: one binary, with a subcommand per job.
#include <cstdio>
#include <string>
#include <vector>

#include "services/cli/commands.h"

namespace kuromaru::cli {

const std::vector<Command>& AllCommands() {
  static const auto* const commands = new std::vector<Command>{
      {"serve", "serve the gRPC API (reconcile, review, roster administration)",
       RunServe},
      {"health", "check a running server's gRPC health", RunHealth},
      {"gen", "write a synthetic roster, receipts and their ground truth",
       RunGen},
      {"normalize",
       "normalize field values (names, kana, dates, insurer numbers, …)",
       RunNormalize},
      {"eval", "accuracy figures of match results against ground truth",
       RunEval},
      {"match", "match a receipts file against a roster file", RunMatch},
      {"bench",
       "measure load, index and match throughput and memory by roster size",
       RunBench},
      {"model", "fit a matching model by EM, or show a model file", RunModel},
      {"import", "store receipts (JSON Lines or レセ電 UKE) as cases",
       RunImport},
      {"rematch", "re-match the open cases against the current roster",
       RunRematch},
      {"token", "make a bearer token and its line for the server's token file",
       RunToken},
      {"roster",
       "build a roster file; load a roster or delta into a running server",
       RunRoster},
      {"review",
       "the review workflow over gRPC: list, show, confirm, no-match, "
       "reopen, search",
       RunReview},
      {"reconcile", "submit a receipts file to a running server", RunReconcile},
      {"purge", "delete closed cases past the retention period from a store",
       RunPurge},
      {"store", "move a SQLite case store into PostgreSQL (store migrate)",
       RunStore},
  };
  return *commands;
}

namespace {

void PrintHelp(FILE* out) {
  std::fprintf(
      out,
      "usage: kuromaru COMMAND [flags]\n\n"
      "kuromaru finds the insurer of health-insurance receipts that could "
      "not be routed.\n\ncommands:\n");
  for (const Command& c : AllCommands()) {
    std::fprintf(out, "  %-12s %s\n", c.name, c.summary);
  }
  std::fprintf(out,
               "\n`kuromaru COMMAND --help` describes a command's flags.\n");
}

}  // namespace
}  // namespace kuromaru::cli

int main(int argc, char** argv) {
  using kuromaru::cli::AllCommands;
  if (argc < 2) {
    kuromaru::cli::PrintHelp(stderr);
    return kuromaru::cli::kExitUsage;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    kuromaru::cli::PrintHelp(stdout);
    return kuromaru::cli::kExitOk;
  }
  for (const auto& command : AllCommands()) {
    if (name == command.name) {
      return command.run(std::vector<std::string>(argv + 2, argv + argc));
    }
  }
  std::fprintf(stderr, "kuromaru: unknown command '%s'\n\n", name.c_str());
  kuromaru::cli::PrintHelp(stderr);
  return kuromaru::cli::kExitUsage;
}
