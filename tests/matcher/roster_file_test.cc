#include "matcher/roster_file.h"

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/matcher.h"
#include "matcher/normalize_person.h"
#include "normalizer/insurer.h"

namespace kuromaru::matcher {
namespace {

using ::testing::HasSubstr;

std::string WithCheck(const std::string& digits) {
  return digits + std::to_string(normalizer::CheckDigit(digits));
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

class RosterFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RosterBuilder builder;
    const std::string a = WithCheck("0113001"), b = WithCheck("0627001");
    auto add = [&](const std::string& insurer, const char* number,
                   const char* kanji, const char* kana, const char* birth,
                   const char* from, const char* until) {
      ASSERT_TRUE(builder
                      .Add({.insurer_number = insurer,
                            .symbol = "１２",  // raw differs from the key
                            .number = number,
                            .branch = "1",
                            .name_kanji = kanji,
                            .name_kana = kana,
                            .birth_date = birth,
                            .sex = "1",
                            .qualified_from = from,
                            .qualified_until = until,
                            .postal_code = "100-0001",
                            .address = "東京都千代田区千代田1-1"})
                      .ok());
    };
    add(a, "5678", "髙橋　太郎", "ﾀｶﾊｼ ﾀﾛｳ", "19750123", "20150401",
        "20230401");
    add(b, "4321", "高橋 太郎", "タカハシ　タロウ", "19750123", "20230401", "");
    add(a, "5679", "高橋●郎", "タカハシ　ジロウ", "19780505", "20150401", "");
    add(b, "4322", "田中　一郎", "", "19750123", "20100101", "");
    auto roster = builder.Build();
    ASSERT_TRUE(roster.ok());
    auto index = RosterIndex::Build(*roster);
    ASSERT_TRUE(index.ok());
    index_ = *index;
    info_.source_path = "/data/roster.csv";
    info_.encoding = "cp932";
    info_.deltas = {{"/data/d1.csv", "00000000000000aa-10"},
                    {"/data/d 2\n.csv", "00000000000000bb-20"}};
    info_.directory_path = "/data/directory.csv";
    info_.directory_bytes = std::string("insurer_number\n\0x", 17);
    info_.built_at = "2026-12-06T10:00:00Z";
    path_ = ::testing::TempDir() + "/roster_file_test.snap";
    auto bytes = WriteRosterFile(*index_, info_, path_);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_EQ(*bytes, ReadAll(path_).size());
  }

  absl::Status OpenStatus(const std::string& bytes) {
    const std::string path = ::testing::TempDir() + "/roster_file_test.bad";
    WriteAll(path, bytes);
    return OpenRosterFile(path).status();
  }

  std::shared_ptr<const RosterIndex> index_;
  RosterFileInfo info_;
  std::string path_;
};

TEST_F(RosterFileTest, OpensTheRosterItWrote) {
  auto file = OpenRosterFile(path_);
  ASSERT_TRUE(file.ok()) << file.status();
  const Roster& a = index_->roster();
  const Roster& b = file->index->roster();
  EXPECT_EQ(file->writer_version, RosterFileWriterVersion());
  EXPECT_EQ(b.version(), a.version());
  EXPECT_EQ(b.size(), a.size());
  EXPECT_EQ(b.person_count(), a.person_count());
  EXPECT_EQ(b.counts().insurers, a.counts().insurers);
  EXPECT_EQ(b.counts().rows_with_wildcards, 1);
  EXPECT_EQ(file->index->entries(), index_->entries());
  for (uint32_t i = 0; i < a.size(); ++i) {
    const EnrollmentId id(i);
    const PersonView x = a.View(id), y = b.View(id);
    EXPECT_EQ(y.kanji_key, x.kanji_key);
    EXPECT_EQ(y.kana_loose_key, x.kana_loose_key);
    EXPECT_EQ(y.member_key, x.member_key);
    EXPECT_EQ(y.address_key, x.address_key);
    const EnrollmentInfo p = a.Info(id), q = b.Info(id);
    EXPECT_EQ(q.name_kanji, p.name_kanji);
    EXPECT_EQ(q.name_kana, p.name_kana);
    EXPECT_EQ(q.symbol, "１２");
    EXPECT_EQ(q.branch, "1");
    EXPECT_EQ(b.PersonOf(id), a.PersonOf(id));
    EXPECT_EQ(b.Namesakes(b.PersonOf(id)), a.Namesakes(a.PersonOf(id)));
    EXPECT_EQ(b.KanaNameFrequency(y.kana_key), a.KanaNameFrequency(x.kana_key));
  }
  EXPECT_EQ(b.KanjiNameCollision(), a.KanjiNameCollision());
  EXPECT_EQ(b.Find(WithCheck("0627001"), "12", "4321", "01", 20230401),
            EnrollmentId(1));
  EXPECT_EQ(file->info.source_path, info_.source_path);
  EXPECT_EQ(file->info.encoding, "cp932");
  EXPECT_EQ(file->info.deltas, info_.deltas);
  EXPECT_EQ(file->info.directory_path, info_.directory_path);
  EXPECT_EQ(file->info.directory_bytes, info_.directory_bytes);
  EXPECT_EQ(file->info.built_at, info_.built_at);
  EXPECT_TRUE(LooksLikeRosterFile(path_));
}

TEST_F(RosterFileTest, MatchesAsTheRosterItWrote) {
  auto file = OpenRosterFile(path_);
  ASSERT_TRUE(file.ok()) << file.status();
  auto built = Matcher::Create(index_, Model::Default(), {});
  auto opened = Matcher::Create(file->index, Model::Default(), {});
  ASSERT_TRUE(built.ok() && opened.ok());
  const ReceiptText receipt{.service_month = "202404",
                            .name_kanji = "高橋　太郎",
                            .name_kana = "タカハシ　タロウ",
                            .birth_date = "19750123",
                            .sex = "1"};
  const ReceiptMatch x = (*built)->Match(receipt);
  const ReceiptMatch y = (*opened)->Match(receipt);
  ASSERT_FALSE(x.candidates.empty());
  ASSERT_EQ(y.candidates.size(), x.candidates.size());
  EXPECT_EQ(y.decision, x.decision);
  for (size_t i = 0; i < x.candidates.size(); ++i) {
    EXPECT_EQ(y.candidates[i].enrollment, x.candidates[i].enrollment);
    EXPECT_EQ(y.candidates[i].probability, x.candidates[i].probability);
    EXPECT_EQ(y.candidates[i].info.name_kanji, x.candidates[i].info.name_kanji);
  }
}

TEST_F(RosterFileTest, RefusesFilesItCannotTrust) {
  const std::string good = ReadAll(path_);
  auto refused = [&](const std::string& bytes, const char* why) {
    const absl::Status status = OpenStatus(bytes);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << why;
    EXPECT_THAT(std::string(status.message()), HasSubstr(why));
  };
  // Truncated: at any length.
  refused(good.substr(0, good.size() - 1), "truncated");
  refused(good.substr(0, good.size() / 2), "truncated");
  refused(good.substr(0, 100), "truncated");
  refused(good + "x", "too long");
  // A flipped bit anywhere in the sections.
  for (size_t at : {good.size() - 1, good.size() / 2, size_t{1000}}) {
    std::string bad = good;
    bad[at] ^= 0x10;
    refused(bad, "corrupted (checksum)");
  }
  // A flipped bit in the header or the section table.
  for (size_t at : {size_t{96}, size_t{140}}) {
    std::string bad = good;
    bad[at] ^= 0x01;
    refused(bad, "corrupted");
  }
  // Foreign files.
  refused("insurer_number,symbol,number\n", "not a kuromaru roster file");
  refused(std::string(4096, '\0'), "not a kuromaru roster file");
  refused("", "not a kuromaru roster file");
  // Another layout version, another kuromaru.
  std::string format = good;
  format[20] = 2;
  refused(format, "roster file format 2");
  std::string other = good;
  const char kOther[] = "kuromaru 0.0.1";
  std::memcpy(&other[24], kOther, sizeof(kOther));
  refused(other, "written by kuromaru 0.0.1");
  refused(other, "rebuild it with `kuromaru roster build`");
  EXPECT_EQ(
      OpenRosterFile(::testing::TempDir() + "/no-such.snap").status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_FALSE(LooksLikeRosterFile(::testing::TempDir() + "/no-such.snap"));
}

TEST_F(RosterFileTest, EmptyRosterRoundTrips) {
  auto roster = RosterBuilder().Build();
  ASSERT_TRUE(roster.ok());
  auto index = RosterIndex::Build(*roster);
  ASSERT_TRUE(index.ok());
  const std::string path = ::testing::TempDir() + "/roster_file_empty.snap";
  ASSERT_TRUE(WriteRosterFile(**index, {}, path).ok());
  auto file = OpenRosterFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->index->roster().size(), 0u);
  NormalizedPerson receipt =
      NormalizePerson({.name_kana = "タカハシ　タロウ"}, nullptr);
  EXPECT_TRUE(file->index->Candidates(receipt.View(), 0, {}, nullptr).empty());
}

}  // namespace
}  // namespace kuromaru::matcher
