// One CSV record's fields, read with the product's reader (base/csv.h), for
// tests that look inside generated files.
#ifndef KUROMARU_TESTS_SUPPORT_CSV_H_
#define KUROMARU_TESTS_SUPPORT_CSV_H_

#include <string>
#include <vector>

namespace kuromaru::testing {

// The fields of the first record of `text` (RFC 4180); empty for none.
std::vector<std::string> CsvFields(const std::string& text);

}  // namespace kuromaru::testing

#endif  // KUROMARU_TESTS_SUPPORT_CSV_H_
