#include "services/store/open_store.h"

#include <sys/stat.h>

#include <fstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace kuromaru::store {
namespace {

// A libpq keyword/value connection string ("host=/run/pg dbname=kuromaru")
// starts with one of libpq's keywords and '='; a file path, even one with an
// '=' in it, does not.
bool IsKeywordDsn(const std::string& locator) {
  static constexpr absl::string_view kKeywords[] = {"host",
                                                    "hostaddr",
                                                    "port",
                                                    "dbname",
                                                    "user",
                                                    "service",
                                                    "password",
                                                    "passfile",
                                                    "connect_timeout",
                                                    "sslmode",
                                                    "options",
                                                    "application_name",
                                                    "target_session_attrs"};
  absl::string_view s = absl::StripLeadingAsciiWhitespace(locator);
  const size_t eq = s.find('=');
  if (eq == absl::string_view::npos) return false;
  const absl::string_view key =
      absl::StripTrailingAsciiWhitespace(s.substr(0, eq));
  for (absl::string_view k : kKeywords) {
    if (key == k) return true;
  }
  return false;
}

}  // namespace

bool IsPostgresLocator(const std::string& locator) {
  return IsPostgresDsn(locator) || IsKeywordDsn(locator);
}

absl::StatusOr<std::unique_ptr<CaseStore>> OpenStore(
    const std::string& locator, const StoreOpenOptions& options) {
  if (locator.empty()) return absl::InvalidArgumentError("no store named");
  if (IsPostgresLocator(locator)) {
    PostgresOptions o = options.postgres;
    o.migrate = options.create;
    return PostgresStore::Open(locator, o);
  }
  if (!options.create) {
    struct stat st;
    if (::stat(locator.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return absl::NotFoundError(absl::StrCat("no store file at ", locator));
    }
  }
  return SqliteStore::Open(locator, options.sqlite);
}

absl::StatusOr<std::string> ReadDsnFile(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    if (!in.is_open()) {
      return absl::NotFoundError(absl::StrCat("cannot read ", path));
    }
  }
  std::string dsn(absl::StripAsciiWhitespace(line));
  if (dsn.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, " holds no DSN"));
  }
  return dsn;
}

std::string DescribeLocator(const std::string& locator) {
  std::string out = locator;
  // URI userinfo: scheme://user:password@host
  const size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const size_t start = scheme + 3;
    const size_t at = out.find('@', start);
    const size_t slash = out.find('/', start);
    const size_t colon = out.find(':', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash) &&
        colon != std::string::npos && colon < at) {
      out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=… as a keyword or a URI query parameter.
  for (size_t pos = out.find("password="); pos != std::string::npos;
       pos = out.find("password=", pos + 1)) {
    const size_t value = pos + 9;
    const size_t end = out.find_first_of(" &", value);
    out.replace(value, (end == std::string::npos ? out.size() : end) - value,
                "***");
  }
  return out;
}

}  // namespace kuromaru::store
