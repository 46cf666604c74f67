// Bearer tokens: the token file's format, its errors by line, roles, and
// reloading a changed file.
#include "services/grpc/auth.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kuromaru::grpc_service {
namespace {

using ::testing::HasSubstr;

TEST(AuthTest, Sha256MatchesTheStandardVector) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AuthTest, FindsThePrincipalOfAKnownTokenOnly) {
  const std::string text = absl::StrCat(
      "# comment\n\n", TokenLine("secret-1", "claims", "claims-system"), "\n",
      TokenLine("secret-2", "reviewer,admin", "ops"), "\n");
  auto table = TokenTable::Parse(text, "tokens.conf");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->size(), 2u);
  const Principal* claims = table->Find("secret-1");
  ASSERT_NE(claims, nullptr);
  EXPECT_EQ(claims->subject, "claims-system");
  EXPECT_TRUE(claims->Has(Role::kClaims));
  EXPECT_FALSE(claims->Has(Role::kReviewer));
  EXPECT_FALSE(claims->Has(Role::kAdmin));
  const Principal* ops = table->Find("secret-2");
  ASSERT_NE(ops, nullptr);
  EXPECT_TRUE(ops->Has(Role::kReviewer));
  EXPECT_TRUE(ops->Has(Role::kAdmin));
  EXPECT_FALSE(ops->Has(Role::kClaims));
  EXPECT_EQ(table->Find("secret-3"), nullptr);
  EXPECT_EQ(table->Find(""), nullptr);
  // The table never holds the token itself.
  EXPECT_THAT(text, ::testing::Not(HasSubstr("secret-1")));
}

TEST(AuthTest, ABadLineIsNamedAndNothingIsLoaded) {
  const std::string good = TokenLine("t", "claims", "a");
  for (const auto& [text, reason] :
       std::vector<std::pair<std::string, std::string>>{
           {"sha256:abc claims a", "64 lower-case hex"},
           {"md5:" + std::string(64, 'a') + " claims a", "sha256:"},
           {"sha256:" + std::string(64, 'A') + " claims a", "64 lower-case"},
           {"sha256:" + std::string(64, 'a') + " superuser a", "unknown role"},
           {"sha256:" + std::string(64, 'a') + " claims", "expected"},
           {good, "the same token twice"}}) {
    auto table = TokenTable::Parse(good + "\n" + text + "\n", "tokens.conf");
    ASSERT_FALSE(table.ok()) << text;
    EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(table.status().message(), HasSubstr("tokens.conf:2:"));
    EXPECT_THAT(table.status().message(), HasSubstr(reason));
  }
}

TEST(AuthTest, NewTokensAreRandomAndPrefixed) {
  auto a = NewToken();
  auto b = NewToken();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(a->rfind("kmr_", 0), 0u);
  EXPECT_GE(a->size(), 40u);
}

TEST(AuthTest, KeeperReloadsAChangedFileAndKeepsTheOldOneOnError) {
  const std::string path = ::testing::TempDir() + "/kuromaru_tokens_" +
                           std::to_string(getpid()) + ".conf";
  std::ofstream(path) << TokenLine("first", "claims", "a") << "\n";
  chmod(path.c_str(), 0600);
  auto keeper = TokenKeeper::Open(path);
  ASSERT_TRUE(keeper.ok()) << keeper.status();
  EXPECT_NE((*keeper)->Current()->Find("first"), nullptr);

  // A new file (a different size is enough to be noticed at once).
  std::ofstream(path) << TokenLine("second", "admin", "ops-2") << "\n";
  bool changed = false;
  ASSERT_TRUE((*keeper)->Refresh(&changed).ok());
  EXPECT_TRUE(changed);
  EXPECT_EQ((*keeper)->Current()->Find("first"), nullptr);  // revoked
  EXPECT_NE((*keeper)->Current()->Find("second"), nullptr);

  // A broken edit: the previous table stays in force.
  std::ofstream(path) << "garbage\n";
  EXPECT_FALSE((*keeper)->Refresh(&changed).ok());
  EXPECT_FALSE(changed);
  EXPECT_NE((*keeper)->Current()->Find("second"), nullptr);

  // A file anyone may write is refused.
  chmod(path.c_str(), 0666);
  EXPECT_EQ(TokenTable::Load(path).status().code(),
            absl::StatusCode::kFailedPrecondition);
  unlink(path.c_str());
}

}  // namespace
}  // namespace kuromaru::grpc_service
