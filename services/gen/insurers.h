// The synthetic insurers a generated roster is drawn from: the kinds and
// numbering of the real schemes, names invented from public word lists.
//
//   kind     法別  number      one per
//   協会けんぽ  01   01PP001C    prefecture (全国健康保険協会東京支部)
//   組合健保    06   06PPnnnC    company group; ≈ persons/1500 (30..1200),
//                                mostly in Tokyo, Osaka, Aichi, Kanagawa
//   共済       31–34 3xPPnnnC    ministry (31, Tokyo) or prefecture (32–34)
//   後期高齢者   39   39PP101C    prefecture (広域連合)
//   国保       —    PPnnnC      municipality found in the address data
// PP is the prefecture code, C the 検証番号 (normalizer::CheckDigit), so every
// number passes the check. Immutable once built; thread-safe to share.
#ifndef KUROMARU_SERVICES_GEN_INSURERS_H_
#define KUROMARU_SERVICES_GEN_INSURERS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "services/gen/policy.h"
#include "services/gen/random.h"
#include "services/gen/sources.h"

namespace kuromaru::gen {

// An employer: core name plus legal form, written before or after it.
struct Company {
  std::string core;               // 東和電機
  std::string form = "株式会社";  // or 有限会社
  bool form_first = true;  // 株式会社東和電機 vs 東和電機株式会社

  std::string Official() const;
};

struct Insurer {
  std::string number;
  InsurerKind kind = InsurerKind::kKyokai;
  std::string name;  // official
  std::vector<std::string> aliases;
  std::string prefecture_code;
  std::string prefecture;
  std::string address;
  std::vector<Company> employers;  // 組合健保 only
  std::string kanji_symbol;  // 国保 symbols such as 横浜; may be empty
  StoragePolicy policy;      // how its roster export writes names
  bool has_branch = true;    // older systems export no 枝番
};

class InsurerCatalog {
 public:
  // Builds the catalogue for a roster of about `persons` people, each
  // insurer with a storage policy drawn from `policies`.
  static std::unique_ptr<const InsurerCatalog> Build(const Sources& sources,
                                                     uint64_t seed,
                                                     int64_t persons,
                                                     const PolicyMix& policies);

  size_t size() const { return insurers_.size(); }
  const Insurer& at(int index) const { return insurers_[index]; }

  int Kyokai(const std::string& prefecture_code) const;
  int Kouki(const std::string& prefecture_code) const;
  int Kokuho(const AddressEntry& address) const;
  // A 組合健保, from the same prefecture when it has one 60% of the time.
  int RandomKumiai(Rng& rng, const std::string& prefecture_code) const;
  int RandomKyosai(Rng& rng, const std::string& prefecture_code) const;

 private:
  explicit InsurerCatalog(const PolicyMix& policies) : policies_(policies) {}
  int Add(Insurer insurer, Rng& rng);
  void AddPrefectural(const std::string& code, Rng& rng);
  void AddKokuho(const Sources& sources, Rng& rng);
  void AddKumiai(const Sources& sources, int64_t count, Rng& rng);

  PolicyMix policies_;
  std::vector<Insurer> insurers_;
  absl::flat_hash_map<std::string, int> kyokai_;
  absl::flat_hash_map<std::string, int> kouki_;
  absl::flat_hash_map<std::string, int> kokuho_;  // "PP|municipality"
  absl::flat_hash_map<std::string, std::vector<int>> kyosai_;
  absl::flat_hash_map<std::string, std::vector<int>> kumiai_by_prefecture_;
  std::vector<int> kumiai_;
  absl::flat_hash_map<std::string, int> serials_;  // next 保険者別番号
};

// houbetsu (2 digits or "" for 国保) + prefecture code + 3-digit serial +
// 検証番号.
std::string MakeInsurerNumber(std::string_view houbetsu,
                              std::string_view prefecture_code, int serial);

// 東京都 → 東京, 北海道 stays (the branch names of 協会けんぽ).
std::string ShortPrefecture(std::string_view prefecture);

// A small employer for a 協会けんぽ member (佐藤建設, 有限会社豊橋商事 …).
Company RandomCompany(const Sources& sources, Rng& rng);

// The insurer as a patient names it on a 不詳 receipt: 協会けんぽ東京支部,
// 全国健康保険協会東京支部, 協会けんぽ東京, 横浜市国保, 横浜市国民健康保険 …
std::string SpokenInsurerName(const Insurer& insurer, Rng& rng);

// The employer as written on a 不詳 receipt: 株式会社 as ㈱, （株）, (株) or in
// full, before or after the name, or left out.
std::string SpokenEmployer(const Company& company, Rng& rng);

}  // namespace kuromaru::gen

#endif  // KUROMARU_SERVICES_GEN_INSURERS_H_
