// libFuzzer target: io::FromJson, whose fast reader of flat objects of
// strings (the shape of a receipt line) promises the same answer as
// protobuf's JSON parser, differentially against that parser. For any valid
// UTF-8 input (FromJson's callers check UTF-8 first): both accept or both
// refuse, and when they accept, the messages are equal. The reason for a
// refusal never quotes the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/csv.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "kuromaru/v1/receipt.pb.h"
#include "services/io/proto_json.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// A refusal is one of FromJson's fixed phrases, naming at most a field of
// the message (never a value or a key as written).
bool QuotesNothing(std::string_view message) {
  constexpr std::string_view kPrefix = "invalid JSON: ";
  if (!message.starts_with(kPrefix)) return false;
  message.remove_prefix(kPrefix.size());
  for (std::string_view fixed :
       {"not well-formed", "not an object", "a value protobuf's"}) {
    if (message.starts_with(fixed)) return true;
  }
  const size_t holds = message.find(" holds a ");
  if (holds == std::string_view::npos) return false;
  return kuromaru::v1::Receipt::descriptor()->FindFieldByName(
             std::string(message.substr(0, holds))) != nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using kuromaru::fuzz::Check;
  const std::string json(reinterpret_cast<const char*>(data), size);
  if (!kuromaru::base::IsValidUtf8(json)) return 0;
  kuromaru::v1::Receipt ours;
  const absl::Status status = kuromaru::io::FromJson(json, &ours);
  kuromaru::v1::Receipt theirs;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const bool accepted =
      google::protobuf::util::JsonStringToMessage(json, &theirs, options).ok();
  Check(status.ok() == accepted, "accepts exactly what protobuf accepts");
  if (accepted) {
    Check(google::protobuf::util::MessageDifferencer::Equals(ours, theirs),
          "reads what protobuf reads");
  } else {
    Check(QuotesNothing(std::string(status.message())),
          "a refusal quotes nothing");
  }
  return 0;
}
