#include "services/reconcile/receipt_validation.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kuromaru::reconcile {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::Receipt Valid() {
  v1::Receipt r;
  r.set_receipt_id("R1");
  r.set_name_kana("タカハシ イチロウ");
  r.set_birth_date("19750123");
  return r;
}

TEST(ValidateReceiptTest, KanaAloneOrKanjiAloneIsEnough) {
  EXPECT_THAT(ValidateReceipt(Valid()), IsEmpty());
  v1::Receipt kanji_only = Valid();
  kanji_only.clear_name_kana();
  kanji_only.set_name_kanji("高橋 一郎");
  EXPECT_THAT(ValidateReceipt(kanji_only), IsEmpty());
}

TEST(ValidateReceiptTest, NamesEachMissingRequiredField) {
  v1::Receipt r;
  r.set_name_kanji("　");  // blank is missing
  const auto v = ValidateReceipt(r, "receipt.");
  EXPECT_THAT(v,
              ElementsAre(Field(&FieldViolation::field, "receipt.receipt_id"),
                          Field(&FieldViolation::field, "receipt.name_kanji"),
                          Field(&FieldViolation::field, "receipt.birth_date")));
}

TEST(ValidateReceiptTest, NoisyFieldsAreNotViolations) {
  v1::Receipt r = Valid();
  r.set_birth_date(
      "S99.99.99");  // unparseable: missing evidence, not a rejection
  r.set_insurer_number("abc");
  r.set_sex("x");
  EXPECT_THAT(ValidateReceipt(r), IsEmpty());
}

TEST(ValidateReceiptTest, InvalidUtf8AndOversizedFields) {
  v1::Receipt r = Valid();
  r.set_address("\xff\xfe");
  r.set_employer(std::string(kMaxReceiptFieldBytes + 1, 'a'));
  const auto v = ValidateReceipt(r);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].field, "address");
  EXPECT_THAT(v[0].description, HasSubstr("UTF-8"));
  EXPECT_EQ(v[1].field, "employer");
  EXPECT_THAT(DescribeViolations(v), HasSubstr("address: is not valid UTF-8"));
}

}  // namespace
}  // namespace kuromaru::reconcile
