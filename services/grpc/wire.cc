#include "services/grpc/wire.h"

#include <string>
#include <vector>

#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/unknown_field_set.h"

namespace kuromaru::grpc_service {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

// Sets every string field of `receipt` from its wire form, bytes as they are.
bool ReadReceipt(const std::string& bytes, v1::Receipt* receipt) {
  UnknownFieldSet fields;
  if (!fields.ParseFromString(bytes)) return false;
  const auto* descriptor = receipt->GetDescriptor();
  const auto* reflection = receipt->GetReflection();
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    const FieldDescriptor* fd = descriptor->FindFieldByNumber(f.number());
    if (fd == nullptr) continue;  // a newer client's field: ignored
    if (fd->type() != FieldDescriptor::TYPE_STRING || fd->is_repeated() ||
        f.type() != UnknownField::TYPE_LENGTH_DELIMITED) {
      return false;
    }
    reflection->SetString(receipt, fd, f.length_delimited());
  }
  return true;
}

}  // namespace

bool ParseRequest(const grpc::ByteBuffer& buffer, v1::ReconcileRequest* out) {
  return ParseRequestBytes(Flatten(buffer), out);
}

bool ParseRequestBytes(const std::string& bytes, v1::ReconcileRequest* out) {
  {
    // The strict parse logs each invalid field; the lenient one below
    // reports it to the caller instead.
    google::protobuf::LogSilencer quiet;
    if (out->ParseFromString(bytes)) return true;
  }
  out->Clear();
  UnknownFieldSet fields;
  if (!fields.ParseFromString(bytes)) return false;
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    if (f.number() != v1::ReconcileRequest::kReceiptFieldNumber) continue;
    if (f.type() != UnknownField::TYPE_LENGTH_DELIMITED ||
        !ReadReceipt(f.length_delimited(), out->mutable_receipt())) {
      return false;
    }
  }
  return true;
}

grpc::ByteBuffer SerializeResponse(const v1::ReconcileResponse& response) {
  const std::string bytes = response.SerializeAsString();
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

}  // namespace kuromaru::grpc_service
