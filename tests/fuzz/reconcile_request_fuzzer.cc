// libFuzzer target: a ReconcileRequest off the wire (grpc_service::
// ParseRequestBytes, which keeps a field with invalid UTF-8 so that
// validation can name it) and its validation (reconcile::ValidateReceipt).
// Properties: no crash; every violation names a receipt field; a receipt
// without violations has valid UTF-8 everywhere, so its answer can be
// serialized, and reads back the same from its own bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/csv.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/grpc/wire.h"
#include "services/reconcile/receipt_validation.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using kuromaru::fuzz::Check;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  kuromaru::v1::ReconcileRequest request;
  if (!kuromaru::grpc_service::ParseRequestBytes(bytes, &request)) return 0;
  const kuromaru::v1::Receipt& receipt = request.receipt();
  const auto violations =
      kuromaru::reconcile::ValidateReceipt(receipt, "receipt.");
  const auto* d = receipt.GetDescriptor();
  for (const auto& v : violations) {
    Check(v.field.rfind("receipt.", 0) == 0 &&
              d->FindFieldByName(v.field.substr(8)) != nullptr,
          "a violation names a receipt field");
    Check(kuromaru::base::IsValidUtf8(v.description) &&
              v.description.size() < 100,
          "a violation's description quotes nothing");
  }
  if (!violations.empty()) return 0;
  for (int i = 0; i < d->field_count(); ++i) {
    Check(kuromaru::base::IsValidUtf8(
              receipt.GetReflection()->GetString(receipt, d->field(i))),
          "a valid receipt is valid UTF-8");
  }
  kuromaru::v1::ReconcileRequest again;
  Check(kuromaru::grpc_service::ParseRequestBytes(request.SerializeAsString(),
                                                  &again),
        "a valid request reads back");
  Check(google::protobuf::util::MessageDifferencer::Equals(request, again),
        "a valid request reads back the same");
  return 0;
}
