#include "tests/support/roster.h"

#include <sstream>

#include "gtest/gtest.h"
#include "matcher/roster_index.h"
#include "services/io/roster_csv.h"

namespace kuromaru::testing {

std::string RosterCsv(std::initializer_list<std::string_view> rows) {
  std::string csv = kRosterHeader;
  for (std::string_view row : rows) csv.append(row);
  return csv;
}

std::shared_ptr<const matcher::Matcher> MatcherOver(
    const std::string& csv, const matcher::MatcherOptions& options) {
  std::istringstream in(csv);
  io::RosterLoadReport report;
  auto roster = io::ReadRosterCsv(in, io::RosterLoadOptions(), &report);
  if (!roster.ok()) {
    ADD_FAILURE() << "test roster: " << roster.status();
    return nullptr;
  }
  EXPECT_EQ(report.rows_rejected, 0) << "test roster rejected rows";
  auto index = matcher::RosterIndex::Build(*std::move(roster));
  if (!index.ok()) {
    ADD_FAILURE() << "test roster index: " << index.status();
    return nullptr;
  }
  auto m = matcher::Matcher::Create(*std::move(index),
                                    matcher::Model::Default(), options);
  if (!m.ok()) {
    ADD_FAILURE() << "test matcher: " << m.status();
    return nullptr;
  }
  return *std::move(m);
}

v1::Receipt TakahashiReceipt(const std::string& receipt_id) {
  v1::Receipt r;
  r.set_receipt_id(receipt_id);
  r.set_service_month("202404");
  r.set_insurer_number("01130012");
  r.set_symbol("1234");
  r.set_number("5678");
  r.set_branch("01");
  r.set_name_kanji("髙橋　太郎");
  r.set_name_kana("タカハシ　タロウ");
  r.set_birth_date("19750123");
  r.set_sex("1");
  return r;
}

}  // namespace kuromaru::testing
