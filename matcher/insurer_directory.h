// The insurer directory (FORMATS.md §4): the insurers a receipt may be routed
// to, with their names, aliases, employers and regions, indexed for routing
// (insurer_routing.h).
//
//   InsurerDirectoryBuilder builder;
//   RETURN_IF_ERROR(builder.Add({.insurer_number = "01130012",
//                                .name = "全国健康保険協会東京支部",
//                                .aliases = "協会けんぽ東京"}));
//   ASSIGN_OR_RETURN(std::shared_ptr<const InsurerDirectory> directory,
//                    std::move(builder).Build());
//   const DirectoryEntry* e = directory->Find("01130012");
//
// A directory is immutable after Build and thread-safe to share.
#ifndef KUROMARU_MATCHER_INSURER_DIRECTORY_H_
#define KUROMARU_MATCHER_INSURER_DIRECTORY_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "normalizer/insurer.h"
#include "normalizer/insurer_name.h"

namespace kuromaru::matcher {

// One directory row as text; `aliases` and `employers` are '|'-separated.
struct DirectoryRow {
  std::string_view insurer_number, name, name_kana, aliases, prefecture,
      address, employers;
};

// One insurer as held by the directory.
struct DirectoryEntry {
  std::string insurer_number;  // digits
  std::string name;            // official, as given
  normalizer::InsurerScheme scheme = normalizer::InsurerScheme::kUnknown;
  std::string prefecture;    // 東京都; from the column, else the number
  std::string municipality;  // prefecture + municipality of the address
                             // (as NormalizedPerson::municipality); may be ""
  bool has_employers = false;
  // Its names and employers: InsurerDirectory::name(names_begin ..
  // names_end - 1).
  uint32_t names_begin = 0, names_end = 0;
};

struct DirectoryCounts {
  int64_t insurers = 0;
  int64_t names = 0;  // official names and aliases
  int64_t employers = 0;
};

class InsurerDirectory;

// Collects rows; not thread-safe.
class InsurerDirectoryBuilder {
 public:
  // Returns InvalidArgument naming the column for an insurer number that does
  // not parse or fails its 検証番号, or a name that folds to nothing;
  // AlreadyExists for a number already added. Unparsable aliases and
  // employers are skipped. Reasons never quote values.
  absl::Status Add(const DirectoryRow& row);

  absl::StatusOr<std::shared_ptr<const InsurerDirectory>> Build() &&;

 private:
  friend class InsurerDirectory;
  std::unique_ptr<InsurerDirectory> directory_;
};

class InsurerDirectory {
 public:
  ~InsurerDirectory();
  InsurerDirectory(const InsurerDirectory&) = delete;
  InsurerDirectory& operator=(const InsurerDirectory&) = delete;

  size_t size() const { return entries_.size(); }
  const DirectoryCounts& counts() const { return counts_; }
  const DirectoryEntry& entry(uint32_t id) const { return entries_[id]; }
  // The entry of an insurer number (digits); nullptr when not listed.
  const DirectoryEntry* Find(std::string_view insurer_number) const;
  // A content hash of the directory, "dir-" + 16 hex digits.
  const std::string& version() const { return version_; }

  // Internal to routing: what a name or an employer points at.
  struct NameRecord {
    uint32_t insurer = 0;
    normalizer::FoldedInsurerName folded;  // for employers: key == core
    bool employer = false;
  };
  struct NameHit {
    uint32_t name = 0;  // index into names()
    double similarity = 0;
  };
  const NameRecord& name(uint32_t id) const { return names_[id]; }
  // Names (employer == false) or employers whose key equals `key`, or whose
  // core is similar to `core` (NameKeySimilarity ≥ min_similarity), best
  // first, at most `limit`.
  std::vector<NameHit> FindNames(std::string_view key, std::string_view core,
                                 bool employers, double min_similarity,
                                 size_t limit) const;
  // Insurers of `scheme` in `prefecture`, and the 国保 of a municipality
  // (prefecture + municipality, a designated city's ward included or not).
  std::span<const uint32_t> InPrefecture(normalizer::InsurerScheme scheme,
                                         std::string_view prefecture) const;
  std::span<const uint32_t> KokuhoOf(std::string_view municipality) const;

 private:
  friend class InsurerDirectoryBuilder;
  InsurerDirectory() = default;
  void AddName(uint32_t insurer, normalizer::FoldedInsurerName folded,
               bool employer);
  void Finish();

  std::vector<DirectoryEntry> entries_;
  std::vector<NameRecord> names_;
  absl::flat_hash_map<std::string, uint32_t> by_number_;
  absl::flat_hash_map<std::string, std::vector<uint32_t>> by_key_;  // names
  absl::flat_hash_map<uint64_t, std::vector<uint32_t>> by_bigram_;  // cores
  absl::flat_hash_map<std::string, std::vector<uint32_t>> by_region_;
  DirectoryCounts counts_;
  std::string version_;
};

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_INSURER_DIRECTORY_H_
