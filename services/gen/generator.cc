#include "services/gen/generator.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/gen/insurers.h"
#include "services/gen/render.h"
#include "services/gen/variants.h"
#include "services/io/proto_json.h"

namespace kuromaru::gen {
namespace {

// A buffered output file whose errors surface at Close.
class OutputFile {
 public:
  static absl::StatusOr<std::unique_ptr<OutputFile>> Open(
      const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
      return absl::UnavailableError(
          absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
    }
    return std::unique_ptr<OutputFile>(new OutputFile(path, f));
  }
  ~OutputFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  void Write(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), file_);
  }
  absl::Status Close() {
    const bool failed = std::ferror(file_) != 0;
    const bool close_failed = std::fclose(file_) != 0;
    file_ = nullptr;
    if (failed || close_failed) {
      return absl::DataLossError(absl::StrCat("error writing ", path_));
    }
    return absl::OkStatus();
  }

 private:
  OutputFile(std::string path, std::FILE* file)
      : path_(std::move(path)), file_(file) {
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  }
  std::string path_;
  std::FILE* file_;
};

struct RosterFiles {
  std::unique_ptr<OutputFile> utf8;
  std::unique_ptr<OutputFile> cp932;
  std::unique_ptr<Cp932Encoder> encoder;

  void Write(const std::string& line) {
    utf8->Write(line);
    if (cp932 != nullptr) cp932->Write(encoder->Encode(line));
  }
};

// Writes the roster household by household and records what receipts need.
absl::Status WriteRoster(const GenOptions& o, const World& world,
                         RosterFiles& files, Population* pop,
                         GenSummary* summary) {
  files.Write(kRosterHeader);
  int64_t total = 0;
  for (int64_t h = 0; total < o.persons; ++h) {
    const Household hh = world.Make(
        h, true, static_cast<int>(std::min<int64_t>(o.persons - total, 99)),
        total);
    for (size_t m = 0; m < hh.members.size(); ++m) {
      const Person& p = hh.members[m];
      for (size_t i = 0; i < p.enrollments.size(); ++i) {
        const Enrollment& e = p.enrollments[i];
        if (!e.rostered) continue;
        const uint64_t row =
            Mix(o.seed, 0x5707, static_cast<uint64_t>(h)) + m * 64 + i;
        files.Write(RosterRow(p, e, hh, world, row));
        ++summary->roster_rows;
      }
    }
    pop->Add(hh, world.options());
    total += static_cast<int64_t>(hh.members.size());
    pop->first_person.push_back(total);
  }
  summary->persons = total;
  summary->households = static_cast<int64_t>(pop->first_person.size()) - 1;
  return absl::OkStatus();
}

std::string OutPath(const GenOptions& o, const char* name) {
  return absl::StrCat(o.out_dir, "/", name);
}

}  // namespace

absl::StatusOr<GenSummary> Generate(const GenOptions& o) {
  ASSIGN_OR_RETURN(auto sources, LoadSources(o.sources));
  return Generate(o, *sources);
}

absl::StatusOr<GenSummary> Generate(const GenOptions& o,
                                    const Sources& sources) {
  if (o.persons < 1 || o.receipts < 0 || o.out_dir.empty()) {
    return absl::InvalidArgumentError(
        "persons must be >= 1, receipts >= 0, and out_dir set");
  }
  std::error_code mkdir_error;
  std::filesystem::create_directories(o.out_dir, mkdir_error);
  if (mkdir_error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", o.out_dir, ": ", mkdir_error.message()));
  }
  const auto variants = VariantTable::Build();
  const auto insurers =
      InsurerCatalog::Build(sources, o.seed, o.persons, o.policies);
  const World world(sources, *insurers, *variants, o.world, o.seed);
  GenSummary summary;
  summary.insurers = static_cast<int64_t>(insurers->size());

  RosterFiles roster;
  ASSIGN_OR_RETURN(roster.utf8, OutputFile::Open(OutPath(o, "roster.csv")));
  if (o.cp932) {
    ASSIGN_OR_RETURN(roster.cp932,
                     OutputFile::Open(OutPath(o, "roster-cp932.csv")));
    ASSIGN_OR_RETURN(roster.encoder, Cp932Encoder::Create(*variants));
  }
  Population pop;
  pop.absent_households = std::max<int64_t>(1, o.persons / 20);
  RETURN_IF_ERROR(WriteRoster(o, world, roster, &pop, &summary));
  RETURN_IF_ERROR(roster.utf8->Close());
  if (roster.cp932 != nullptr) RETURN_IF_ERROR(roster.cp932->Close());

  ASSIGN_OR_RETURN(auto directory,
                   OutputFile::Open(OutPath(o, "directory.csv")));
  directory->Write(kDirectoryHeader);
  for (size_t i = 0; i < insurers->size(); ++i) {
    directory->Write(DirectoryRow(insurers->at(static_cast<int>(i))));
  }
  RETURN_IF_ERROR(directory->Close());

  ASSIGN_OR_RETURN(auto receipts,
                   OutputFile::Open(OutPath(o, "receipts.jsonl")));
  ASSIGN_OR_RETURN(auto truth, OutputFile::Open(OutPath(o, "truth.jsonl")));
  const ReceiptMaker maker(world, pop, o.mix, o.seed);
  v1::Receipt receipt;
  Truth answer;
  for (int64_t i = 0; i < o.receipts; ++i) {
    maker.Make(i, &receipt, &answer);
    receipts->Write(io::ToJsonLine(receipt));
    receipts->Write("\n");
    truth->Write(answer.ToJsonLine());
    truth->Write("\n");
    ++summary.receipts_by_category[answer.category];
  }
  summary.receipts = o.receipts;
  RETURN_IF_ERROR(receipts->Close());
  RETURN_IF_ERROR(truth->Close());
  return summary;
}

std::string FormatSummary(const GenSummary& s) {
  std::string out =
      absl::StrCat("persons      ", s.persons, "\nhouseholds   ", s.households,
                   "\nroster_rows  ", s.roster_rows, "\ninsurers     ",
                   s.insurers, "\nreceipts     ", s.receipts, "\n");
  for (int c = 0; c < kCategoryCount; ++c) {
    const std::string name(CategoryName(static_cast<Category>(c)));
    auto it = s.receipts_by_category.find(name);
    absl::StrAppend(&out, "  ", name, std::string(18 - name.size(), ' '),
                    it == s.receipts_by_category.end() ? 0 : it->second, "\n");
  }
  return out;
}

}  // namespace kuromaru::gen
