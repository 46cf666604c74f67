// Invalid input reaches clients as INVALID_ARGUMENT with a google.rpc.BadRequest in
// the grpc-status-details-bin trailer.
#include "services/grpc/status.h"

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

namespace kuromaru::grpc_service {
namespace {

TEST(StatusTest, CodesMapOneToOne) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  const grpc::Status s = ToGrpcStatus(absl::AbortedError("version 3 is not 4"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(s.error_message(), "version 3 is not 4");
  EXPECT_EQ(ToGrpcStatus(absl::UnavailableError("no roster")).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST(StatusTest, InvalidArgumentCarriesBadRequestDetails) {
  const grpc::Status s = InvalidArgument({{"receipt.receipt_id", "is required"},
                                          {"receipt.birth_date", "is required"}});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("receipt.birth_date"));
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(s.error_details()));
  EXPECT_EQ(details.code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_EQ(details.details_size(), 1);
  EXPECT_EQ(details.details(0).type_url(), "type.googleapis.com/google.rpc.BadRequest");
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 2);
  EXPECT_EQ(bad_request.field_violations(0).field(), "receipt.receipt_id");
  EXPECT_EQ(bad_request.field_violations(1).description(), "is required");
  // The per-item form on streams decodes to the same thing.
  const google::rpc::Status item = ToRpcStatus(s);
  EXPECT_EQ(item.details_size(), 1);
  EXPECT_EQ(ToRpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "x")).code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace kuromaru::grpc_service
