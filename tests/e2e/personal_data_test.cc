// No personal data in errors or logs: known names, kana, birth dates and
// member numbers are fed through every command and server path that can
// fail on them — bad receipt lines (JSON Lines and UKE), bad requests, bad
// roster and directory rows, an error budget exceeded — and none of them may
// appear in what kuromaru prints on stderr, in its logs, or in the errors it
// answers with. (The results of receipts that are matched do carry their
// normalized names: that is their purpose.)
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"
#include "tests/e2e/service_fixture.h"
#include "tests/support/files.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::CommandResult;
using ::kuromaru::testing::ContextWith;
using ::kuromaru::testing::RunKuromaru;
using ::kuromaru::testing::ServeOptions;
using ::kuromaru::testing::ServiceTest;
using ::kuromaru::testing::TempDir;

// The secrets, and the fragments of them an error could leak.
constexpr const char* kSecrets[] = {"秘匿",   "ヒトク",   "19791231",
                                    "197912", "98765432", "8765432"};

// Fails the test with `where` for each secret found in `text`.
void ExpectNoSecret(const std::string& text, const std::string& where) {
  for (const char* secret : kSecrets) {
    EXPECT_EQ(text.find(secret), std::string::npos)
        << where << " shows personal data \"" << secret << "\":\n"
        << text;
  }
}

// Receipt lines that fail in every way a line can, each holding the secrets.
std::string BadReceipts() {
  return
      // a missing comma
      "{\"receipt_id\":\"P1\" \"name_kanji\":\"秘匿　花子\","
      "\"birth_date\":\"19791231\"}\n"
      // a member number written as a JSON number
      "{\"receipt_id\":\"P2\",\"name_kanji\":\"秘匿　花子\","
      "\"birth_date\":\"19791231\",\"number\":98765432}\n"
      // invalid UTF-8
      "{\"receipt_id\":\"P3\",\"name_kanji\":\"秘匿\xff\","
      "\"birth_date\":\"19791231\"}\n"
      // no receipt_id, no birth date
      "{\"name_kanji\":\"秘匿　花子\",\"number\":\"98765432\"}\n"
      "{\"receipt_id\":\"P5\",\"name_kana\":\"ヒトク　ハナコ\","
      "\"number\":\"98765432\"}\n"
      // an object where a string belongs
      "{\"receipt_id\":\"P6\",\"name_kanji\":{\"x\":\"秘匿　花子\"},"
      "\"birth_date\":\"19791231\"}\n"
      // a field over its size bound
      "{\"receipt_id\":\"P7\",\"name_kanji\":\"" +
      std::string(400, 'x') + std::string("秘匿") + std::string(400, 'y') +
      "\",\"birth_date\":\"19791231\",\"address\":\"" + std::string(1100, 'z') +
      "\"}\n"
      // a receipt that is stored, then another receipt under its id
      "{\"receipt_id\":\"P8\",\"name_kanji\":\"秘匿　花子\","
      "\"birth_date\":\"19791231\",\"number\":\"98765432\"}\n"
      "{\"receipt_id\":\"P8\",\"name_kanji\":\"秘匿　花江\","
      "\"birth_date\":\"19791231\",\"number\":\"98765432\"}\n"
      // cut short
      "{\"receipt_id\":\"P9\",\"name_kanji\":\"秘匿　花子\",\"birth_da\n";
}

// Roster rows rejected for each reason a row can be, each with the secrets.
std::string BadRoster() {
  return std::string(
             "insurer_number,symbol,number,branch,name_kanji,name_kana,"
             "birth_date,sex,qualified_from,qualified_until,postal_code,"
             "address\n") +
         "01130012,4321,98765432,,秘匿　花子,ヒトク　ハナコ,19791231,x,"
         "20150401,,,\n"  // sex
         "01130012,4321,98765432,,秘匿　花子,ヒトク　ハナコ,1979123x,2,"
         "20150401,,,\n"  // date
         "01130012,4321,98765432,,\"秘匿\"花子,,19791231,2,20150401,,,\n"
         "01130012,4321,98765432,,秘匿\xff,,19791231,2,20150401,,,\n"
         "01130012,4321,98765432,秘匿　花子,19791231\n"  // fields
         "01130012,4321,98765432,,秘匿　花子,ヒトク　ハナコ,19791231,2,"
         "20150401,,,\n"
         "01130012,4321,98765432,,秘匿　花子,ヒトク　ハナコ,19791231,2,"
         "20150401,,,\n";  // a duplicate enrollment key
}

class PersonalDataTest : public ServiceTest {
 protected:
  TempDir dir_;
};

TEST_F(PersonalDataTest, CommandsReportBadInputWithoutItsContents) {
  const std::string receipts = dir_.Write("bad.jsonl", BadReceipts());
  const std::string roster = data().roster_path;

  CommandResult import =
      RunKuromaru({"import", "--store", dir_.File("cases.db"), "--roster",
                   roster, "--receipts", receipts});
  EXPECT_EQ(import.exit_code, 1) << import.err;
  EXPECT_THAT(import.err, ::testing::HasSubstr(":9: "));  // the conflict
  ExpectNoSecret(import.err, "import stderr");
  ExpectNoSecret(import.out, "import stdout");

  CommandResult match =
      RunKuromaru({"match", "--roster", roster, "--receipts", receipts, "--out",
                   dir_.File("results.jsonl")});
  EXPECT_EQ(match.exit_code, 0) << match.err;
  ExpectNoSecret(match.err, "match stderr");
  // The errors the results carry (the lines that could not be matched).
  std::ifstream results(dir_.File("results.jsonl"));
  int errors = 0;
  for (std::string line; std::getline(results, line);) {
    const size_t at = line.find("\"error\":\"");
    if (at == std::string::npos) continue;
    const std::string error = line.substr(at, line.find('"', at + 9) - at);
    errors += error.size() > 9;
    ExpectNoSecret(error, "a result's error");
  }
  EXPECT_EQ(errors, 8);

  const std::string bad_roster = dir_.Write("roster.csv", BadRoster());
  CommandResult rows =
      RunKuromaru({"match", "--roster", bad_roster, "--receipts", receipts,
                   "--out", dir_.File("r2.jsonl")});
  EXPECT_EQ(rows.exit_code, 0) << rows.err;
  EXPECT_THAT(rows.err, ::testing::HasSubstr("roster.csv:8: "));
  ExpectNoSecret(rows.err, "rejected roster rows");
  CommandResult budget =
      RunKuromaru({"match", "--roster", bad_roster, "--max-errors", "0",
                   "--receipts", receipts, "--out", dir_.File("r3.jsonl")});
  EXPECT_EQ(budget.exit_code, 3);
  ExpectNoSecret(budget.err, "an exceeded error budget");

  const std::string directory = dir_.Write(
      "directory.csv",
      "insurer_number,name,name_kana,aliases,prefecture,address,employers\n"
      "98765432,秘匿健康保険組合,ヒトク,,東京都,,\n"  // its 検証番号 fails
      "01130012,秘匿\xff,,,,,\n");
  CommandResult dir_rows =
      RunKuromaru({"match", "--roster", roster, "--directory", directory,
                   "--receipts", receipts, "--out", dir_.File("r4.jsonl")});
  ExpectNoSecret(dir_rows.err, "rejected directory rows");
}

TEST_F(PersonalDataTest, UkeFilesReportBadReceiptsWithoutTheirContents) {
  // A good receipt, one whose 保険者番号 is not digits, one whose name holds
  // a byte CP932 does not define, and a file cut in its last record.
  const std::string ir = "IR,1,13,1,1234567,,\x8d\x87\x90\xac,202505,00,\r\n";
  auto re = [](const std::string& number, const std::string& name) {
    std::string record =
        "RE," + number + ",1112,202505," + name + ",2,19791231";
    for (int i = 7; i < 36; ++i) record += ",";
    return record + ",\x83\x71\x83\x67\x83\x4e,\r\n";
  };
  const std::string hiroku = "\x94\xe9\x93\xbd\x81\x40\x89\xd4\x8e\x71";
  const std::string uke =
      ir + re("1", hiroku) + "HO,01130012,4321,98765432,1,\r\n" +
      re("2", hiroku) + "HO,ABC98765,4321,98765432,1,\r\n" +
      re("3", "\x94\xe9\x93\xbd\xfd\xfd") + "HO,01130012,4321,98765432,1,\r\n" +
      "GO,3,100,99\r\n";
  const std::string path = dir_.Write("RECEIPTC.UKE", uke);
  CommandResult import =
      RunKuromaru({"import", "--store", dir_.File("uke.db"), "--roster",
                   data().roster_path, "--uke", path});
  EXPECT_EQ(import.exit_code, 1) << import.err;
  EXPECT_THAT(import.err, ::testing::HasSubstr("RECEIPTC.UKE:5: "));
  EXPECT_THAT(import.err, ::testing::HasSubstr("RECEIPTC.UKE:6: "));
  ExpectNoSecret(import.err, "UKE import stderr");

  const std::string cut =
      dir_.Write("CUT.UKE", uke.substr(0, uke.find("GO,") - 20));
  CommandResult truncated =
      RunKuromaru({"import", "--store", dir_.File("uke.db"), "--roster",
                   data().roster_path, "--uke", cut});
  EXPECT_EQ(truncated.exit_code, 1);
  EXPECT_THAT(truncated.err, ::testing::HasSubstr("looks truncated"));
  ExpectNoSecret(truncated.err, "a truncated UKE file");
}

TEST_F(PersonalDataTest, TheServerAnswersAndLogsWithoutPersonalData) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  // Unary Reconcile: a receipt that cannot be matched, and one with bytes
  // that are not UTF-8 in its name.
  v1::Receipt no_birth;
  no_birth.set_receipt_id("S1");
  no_birth.set_name_kanji("秘匿　花子");
  no_birth.set_number("98765432");
  v1::ReconcileResponse answer;
  grpc::Status refused =
      Reconcile(::kuromaru::testing::RequestFor(no_birth), &answer);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ExpectNoSecret(refused.error_message(), "a refusal");
  ExpectNoSecret(refused.error_details(), "a refusal's details");

  // The claims system's batch, over ReconcileStream.
  const std::string token = dir_.Write("claims.token", tokens().claims + "\n");
  const std::string receipts = dir_.Write("bad.jsonl", BadReceipts());
  CommandResult reconcile = RunKuromaru(
      {"reconcile", "--server", env_->server().address(), "--token-file", token,
       "--receipts", receipts, "--out", dir_.File("answers.jsonl")});
  EXPECT_EQ(reconcile.exit_code, 1);
  ExpectNoSecret(reconcile.err, "reconcile stderr");

  // A roster with bad rows, loaded into the running server.
  const std::string admin = dir_.Write("admin.token", tokens().admin + "\n");
  CommandResult load = RunKuromaru(
      {"roster", "load", "--server", env_->server().address(), "--token-file",
       admin, "--path", dir_.Write("roster.csv", BadRoster())});
  ExpectNoSecret(load.out, "roster load output");
  ExpectNoSecret(load.err, "roster load stderr");

  ExpectNoSecret(env_->server().Logs(), "the server's logs");
}

}  // namespace
}  // namespace kuromaru
