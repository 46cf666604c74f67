#include "tests/support/csv.h"

#include <sstream>

#include "base/csv.h"

namespace kuromaru::testing {

std::vector<std::string> CsvFields(const std::string& text) {
  std::istringstream in(text);
  base::CsvReader reader(in);
  base::CsvRecord record;
  if (!reader.Next(&record)) return {};
  return std::vector<std::string>(record.fields.begin(), record.fields.end());
}

}  // namespace kuromaru::testing
