// `kuromaru store migrate`: moves a SQLite case store into PostgreSQL
// (services/store/store_move.h), for a deployment that grows from one
// replica to several.
#include <cstdio>
#include <string>
#include <vector>

#include "base/json.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/cli/store_flags.h"
#include "services/store/open_store.h"
#include "services/store/store_move.h"

namespace kuromaru::cli {

int RunStore(const std::vector<std::string>& args) {
  std::string from;
  StoreFlags to;
  Flags flags(
      "kuromaru store migrate --from FILE.db (--to DSN | --to-dsn-file FILE)",
      "Moves a SQLite case store into PostgreSQL: cases, their history and\n"
      "decisions, the results feed (in its order, before anything PostgreSQL\n"
      "writes), the audit trail, the roster in service and the jobs'\n"
      "checkpoints. Stop the server on the file first. Rows already moved are\n"
      "kept, so an interrupted move is run again to finish it. Then both\n"
      "sides are read back and compared, table by table, by count and\n"
      "SHA-256; one JSON line per table. Exit 0 when every table matches, 1\n"
      "when one does not, 3 when it could not run.");
  flags.String("from", &from, "the SQLite store file");
  to.Register(flags, "to");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  auto usage = [&](const std::string& message) {
    std::fprintf(stderr, "kuromaru store: %s\n%s", message.c_str(),
                 flags.Usage().c_str());
    return kExitUsage;
  };
  if (flags.positional().size() != 1 || flags.positional()[0] != "migrate") {
    return usage("expected migrate");
  }
  if (from.empty() || !to.given()) {
    return usage("--from and --to (or --to-dsn-file) are required");
  }
  if (store::IsPostgresLocator(from)) {
    return usage("--from: a SQLite store file");
  }
  absl::StatusOr<std::string> dsn = to.Locator();
  if (!dsn.ok()) return usage(std::string(dsn.status().message()));
  if (!store::IsPostgresLocator(*dsn)) {
    return usage("--to: a PostgreSQL URI or connection string");
  }
  absl::StatusOr<store::MoveReport> report =
      store::MoveSqliteToPostgres(from, *dsn);
  if (!report.ok()) {
    std::fprintf(stderr, "kuromaru store: %s\n",
                 report.status().ToString().c_str());
    return kExitCannotRun;
  }
  for (const store::MoveReport::Table& t : report->tables) {
    base::Json line = {
        {"table", t.name},           {"source_rows", t.source_rows},
        {"copied", t.copied},        {"target_rows", t.target_rows},
        {"sha256", t.source_sha256}, {"verified", t.verified()}};
    std::printf("%s\n", line.dump().c_str());
  }
  if (!report->verified()) {
    std::fprintf(stderr,
                 "kuromaru store: the moved rows differ from the file's (see "
                 "the tables with \"verified\": false)\n");
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace kuromaru::cli
