#include "matcher/insurer_directory.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "matcher/roster.h"
#include "normalizer/address.h"
#include "normalizer/text.h"
#include "normalizer/utf8.h"

namespace kuromaru::matcher {

using normalizer::FoldedInsurerName;
using normalizer::InsurerScheme;

namespace {

// The 47 prefecture names, built once.
const std::vector<std::string>& Prefectures() {
  static const auto* const names = [] {
    auto* v = new std::vector<std::string>();
    for (int code = 1; code <= 47; ++code) {
      v->emplace_back(
          normalizer::PrefectureName(absl::StrFormat("%02d", code)));
    }
    return v;
  }();
  return *names;
}

// Bigrams of a core's code points; a one-character core is its own key.
std::vector<uint64_t> Bigrams(std::string_view core) {
  std::vector<uint64_t> out;
  auto cps = normalizer::DecodeUtf8(core);
  if (!cps.ok() || cps->empty()) return out;
  if (cps->size() == 1) {
    out.push_back(static_cast<uint64_t>((*cps)[0]) << 21);
    return out;
  }
  for (size_t i = 0; i + 1 < cps->size(); ++i) {
    out.push_back((static_cast<uint64_t>((*cps)[i]) << 21) | (*cps)[i + 1]);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string SchemeRegion(InsurerScheme scheme, std::string_view prefecture) {
  return absl::StrCat("S", static_cast<int>(scheme), "|",
                      std::string(prefecture));
}

std::string MunicipalityRegion(std::string_view municipality) {
  return absl::StrCat("M|", std::string(municipality));
}

// The full name of a prefecture written in full or without 都/府/県; "" if
// it is none of the 47.
std::string FullPrefecture(std::string_view text) {
  const std::string_view t = normalizer::TrimSpaces(text);
  if (t.empty()) return "";
  for (const std::string& full : Prefectures()) {
    if (t == full || (full != "北海道" && full.size() > 3 &&
                      t == std::string_view(full).substr(0, full.size() - 3))) {
      return full;
    }
  }
  return "";
}

std::string MunicipalityOf(std::string_view text) {
  if (normalizer::TrimSpaces(text).empty()) return "";
  auto a = normalizer::NormalizeAddress(text);
  if (!a.ok() || a->municipality.empty()) return "";
  return a->prefecture + a->municipality;
}

std::vector<std::string_view> SplitList(std::string_view list) {
  std::vector<std::string_view> out;
  for (absl::string_view part :
       absl::StrSplit(absl::string_view(list.data(), list.size()), '|')) {
    const std::string_view p =
        normalizer::TrimSpaces(std::string_view(part.data(), part.size()));
    if (!p.empty()) out.push_back(p);
  }
  return out;
}

}  // namespace

absl::Status InsurerDirectoryBuilder::Add(const DirectoryRow& row) {
  if (directory_ == nullptr) directory_.reset(new InsurerDirectory());
  InsurerDirectory& d = *directory_;
  auto number = normalizer::ParseInsurerNumber(row.insurer_number);
  if (!number.ok() || number->sentinel) {
    return absl::InvalidArgumentError("insurer_number: not an insurer number");
  }
  if (!number->check_digit_valid) {
    return absl::InvalidArgumentError(
        "insurer_number: check digit does not agree");
  }
  if (d.by_number_.contains(number->digits)) {
    return absl::AlreadyExistsError("insurer_number: listed twice");
  }
  if (normalizer::TrimSpaces(row.name).empty()) {
    return absl::InvalidArgumentError("name: missing");
  }
  auto official = normalizer::FoldInsurerName(row.name);
  if (!official.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("name: ", std::string(official.status().message())));
  }
  DirectoryEntry e;
  e.insurer_number = number->digits;
  e.name = std::string(normalizer::TrimSpaces(row.name));
  e.scheme = normalizer::SchemeOfInsurerNumber(e.insurer_number);
  if (e.scheme == InsurerScheme::kUnknown) e.scheme = official->scheme;
  e.prefecture = FullPrefecture(row.prefecture);
  if (e.prefecture.empty()) e.prefecture = number->prefecture;
  e.municipality = MunicipalityOf(row.address);
  if (e.municipality.empty() && e.scheme == InsurerScheme::kKokuho) {
    e.municipality = MunicipalityOf(absl::StrCat(e.prefecture, e.name));
  }
  const auto id = static_cast<uint32_t>(d.entries_.size());
  e.names_begin = static_cast<uint32_t>(d.names_.size());
  d.AddName(id, *std::move(official), false);
  for (std::string_view alias : SplitList(row.aliases)) {
    auto folded = normalizer::FoldInsurerName(alias);
    if (folded.ok()) d.AddName(id, *std::move(folded), false);
  }
  for (std::string_view employer : SplitList(row.employers)) {
    auto folded = normalizer::FoldEmployerName(employer);
    if (!folded.ok()) continue;
    FoldedInsurerName n;
    n.key = *folded;
    n.core = *std::move(folded);
    d.AddName(id, std::move(n), true);
    e.has_employers = true;
  }
  e.names_end = static_cast<uint32_t>(d.names_.size());
  d.by_number_[e.insurer_number] = id;
  d.entries_.push_back(std::move(e));
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const InsurerDirectory>>
InsurerDirectoryBuilder::Build() && {
  if (directory_ == nullptr) directory_.reset(new InsurerDirectory());
  directory_->Finish();
  return std::shared_ptr<const InsurerDirectory>(std::move(directory_));
}

InsurerDirectory::~InsurerDirectory() = default;

void InsurerDirectory::AddName(uint32_t insurer, FoldedInsurerName folded,
                               bool employer) {
  const auto id = static_cast<uint32_t>(names_.size());
  // An alias that folds like an earlier name of the same insurer adds
  // nothing.
  for (uint32_t n = id; n > 0; --n) {
    const NameRecord& prev = names_[n - 1];
    if (prev.insurer != insurer) break;
    if (prev.employer == employer && prev.folded.key == folded.key) return;
  }
  if (!employer) by_key_[folded.key].push_back(id);
  for (uint64_t b : Bigrams(folded.core)) by_bigram_[b].push_back(id);
  ++(employer ? counts_.employers : counts_.names);
  names_.push_back({insurer, std::move(folded), employer});
}

void InsurerDirectory::Finish() {
  uint64_t h = 0;
  for (uint32_t id = 0; id < entries_.size(); ++id) {
    const DirectoryEntry& e = entries_[id];
    h = HashMix(h, HashBytes(e.insurer_number));
    h = HashMix(h, HashBytes(e.name));
    for (uint32_t n = e.names_begin; n < e.names_end; ++n) {
      h = HashMix(h, HashBytes(names_[n].folded.key, names_[n].employer));
    }
    if (!e.prefecture.empty()) {
      by_region_[SchemeRegion(e.scheme, e.prefecture)].push_back(id);
    }
    if (e.scheme == InsurerScheme::kKokuho && !e.municipality.empty()) {
      by_region_[MunicipalityRegion(e.municipality)].push_back(id);
    }
  }
  counts_.insurers = static_cast<int64_t>(entries_.size());
  version_ = absl::StrFormat("dir-%016x", h);
}

const DirectoryEntry* InsurerDirectory::Find(
    std::string_view insurer_number) const {
  auto it = by_number_.find(
      absl::string_view(insurer_number.data(), insurer_number.size()));
  return it == by_number_.end() ? nullptr : &entries_[it->second];
}

std::vector<InsurerDirectory::NameHit> InsurerDirectory::FindNames(
    std::string_view key, std::string_view core, bool employers,
    double min_similarity, size_t limit) const {
  std::vector<NameHit> hits;
  if (!employers && !key.empty()) {
    auto it = by_key_.find(absl::string_view(key.data(), key.size()));
    if (it != by_key_.end()) {
      for (uint32_t n : it->second) hits.push_back({n, 1.0});
    }
  }
  const std::vector<uint64_t> grams = Bigrams(core);
  if (!grams.empty()) {
    absl::flat_hash_map<uint32_t, int> shared;
    for (uint64_t g : grams) {
      auto it = by_bigram_.find(g);
      if (it == by_bigram_.end()) continue;
      for (uint32_t n : it->second) {
        if (names_[n].employer == employers) ++shared[n];
      }
    }
    for (const auto& [n, count] : shared) {
      // Only names that share at least a third of the query's bigrams are
      // worth a Jaro–Winkler.
      if (3 * count < static_cast<int>(grams.size())) continue;
      const double s =
          normalizer::NameKeySimilarity(core, names_[n].folded.core);
      if (s >= min_similarity) hits.push_back({n, s});
    }
  }
  std::sort(hits.begin(), hits.end(), [](const NameHit& a, const NameHit& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity
                                        : a.name < b.name;
  });
  hits.erase(std::unique(hits.begin(), hits.end(),
                         [](const NameHit& a, const NameHit& b) {
                           return a.name == b.name;
                         }),
             hits.end());
  if (hits.size() > limit) hits.resize(limit);
  return hits;
}

std::span<const uint32_t> InsurerDirectory::InPrefecture(
    InsurerScheme scheme, std::string_view prefecture) const {
  if (prefecture.empty()) return {};
  auto it = by_region_.find(SchemeRegion(scheme, prefecture));
  if (it == by_region_.end()) return {};
  return it->second;
}

std::span<const uint32_t> InsurerDirectory::KokuhoOf(
    std::string_view municipality) const {
  // 横浜市中区 is covered by 横浜市's 国保: try the whole name, then each
  // prefix that ends in 市.
  if (municipality.empty()) return {};
  auto it = by_region_.find(MunicipalityRegion(municipality));
  if (it != by_region_.end()) return it->second;
  constexpr std::string_view kCity = "市";
  for (size_t at = municipality.find(kCity); at != std::string_view::npos;
       at = municipality.find(kCity, at + kCity.size())) {
    const std::string_view prefix = municipality.substr(0, at + kCity.size());
    if (prefix.size() == municipality.size()) break;
    it = by_region_.find(MunicipalityRegion(prefix));
    if (it != by_region_.end()) return it->second;
  }
  return {};
}

}  // namespace kuromaru::matcher
