#include "services/cli/progress.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/log.h"

namespace kuromaru::cli {

Progress::Progress(std::string what, int64_t total)
    : what_(std::move(what)),
      total_(total),
      terminal_(isatty(STDERR_FILENO) == 1),
      start_(absl::Now()),
      last_(start_) {}

Progress::~Progress() {
  if (drawn_) std::fputc('\n', stderr);
  if (terminal_ || done_ < 0 || done_ == logged_) return;
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
  base::Log(base::LogLevel::kInfo, "progress",
            {{"what", what_},
             {"done", done_},
             {"total", total_},
             {"per_second", seconds > 0 ? done_ / seconds : 0.0}});
}

void Progress::Update(int64_t done) {
  done_ = done;
  const absl::Time now = absl::Now();
  const double seconds = absl::ToDoubleSeconds(now - start_);
  const double rate = seconds > 0 ? done / seconds : 0;
  if (terminal_) {
    if (now - last_ < absl::Milliseconds(200) && done != total_) return;
    last_ = now;
    drawn_ = true;
    constexpr int kWidth = 30;
    const int filled =
        total_ > 0 ? static_cast<int>(kWidth * std::min<int64_t>(done, total_) /
                                      total_)
                   : 0;
    const std::string count =
        total_ > 0 ? absl::StrCat(done, "/", total_) : absl::StrCat(done);
    std::fprintf(stderr, "\r%s [%.*s%*s] %s  %.0f/s  ", what_.c_str(), filled,
                 "##############################", kWidth - filled, "",
                 count.c_str(), rate);
    std::fflush(stderr);
    return;
  }
  if (now - last_ < absl::Seconds(10)) return;
  last_ = now;
  logged_ = done;
  base::Log(base::LogLevel::kInfo, "progress",
            {{"what", what_},
             {"done", done},
             {"total", total_},
             {"per_second", rate}});
}

}  // namespace kuromaru::cli
