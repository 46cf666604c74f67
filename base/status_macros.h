// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status and absl::StatusOr, which
// Debian's abseil does not ship.
//
// clang-format off
//   RETURN_IF_ERROR(store->Write(batch));
//   ASSIGN_OR_RETURN(auto index, RosterIndex::Build(rows));
// clang-format on
#ifndef KUROMARU_BASE_STATUS_MACROS_H_
#define KUROMARU_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define KUROMARU_CONCAT_INNER_(a, b) a##b
#define KUROMARU_CONCAT_(a, b) KUROMARU_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    ::absl::Status kuromaru_status_ = (expr);            \
    if (!kuromaru_status_.ok()) return kuromaru_status_; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr)                                         \
  KUROMARU_ASSIGN_OR_RETURN_IMPL_(KUROMARU_CONCAT_(kuromaru_or_, __LINE__), \
                                  lhs, expr)

#define KUROMARU_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return std::move(tmp).status();        \
  lhs = *std::move(tmp)

#endif  // KUROMARU_BASE_STATUS_MACROS_H_
