// Progress for long commands: a bar redrawn in place on a terminal, a log line
// every few seconds otherwise (so that logs stay readable), and one at the end
// with the final count, so that a short run logs its progress too.
#ifndef KUROMARU_SERVICES_CLI_PROGRESS_H_
#define KUROMARU_SERVICES_CLI_PROGRESS_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace kuromaru::cli {

class Progress {
 public:
  // `total` may be 0 when unknown.
  Progress(std::string what, int64_t total);
  ~Progress();  // ends the bar's line, or logs the final count

  void Update(int64_t done);

 private:
  const std::string what_;
  const int64_t total_;
  const bool terminal_;
  const absl::Time start_;
  absl::Time last_;
  bool drawn_ = false;
  int64_t done_ = -1;    // the last count given to Update
  int64_t logged_ = -1;  // the last count logged
};

}  // namespace kuromaru::cli

#endif  // KUROMARU_SERVICES_CLI_PROGRESS_H_
