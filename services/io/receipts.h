// Receipts as JSON Lines (FORMATS.md §2): the reader that `match`, `import`,
// `reconcile` and `model fit` share.
#ifndef KUROMARU_SERVICES_IO_RECEIPTS_H_
#define KUROMARU_SERVICES_IO_RECEIPTS_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <string>

#include "absl/status/status.h"
#include "kuromaru/v1/receipt.pb.h"

namespace kuromaru::io {

// Reads receipts from JSON Lines. Calls `on_receipt(line_number, receipt)` for
// each line that parses, `on_error(line_number, reason)` for each that does not
// (blank lines are skipped). Stops early when a callback returns false. Returns
// an error only when the stream itself fails.
absl::Status ReadReceiptsJsonl(
    std::istream& in,
    const std::function<bool(int64_t, v1::Receipt&)>& on_receipt,
    const std::function<bool(int64_t, const std::string&)>& on_error);

}  // namespace kuromaru::io

#endif  // KUROMARU_SERVICES_IO_RECEIPTS_H_
