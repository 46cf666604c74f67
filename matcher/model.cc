#include "matcher/model.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"

namespace kuromaru::matcher {
namespace {

using L = Level;

absl::string_view AV(std::string_view s) { return {s.data(), s.size()}; }

struct DefaultParam {
  Field field;
  Level level;
  double m;
  double u;
};

// The built-in model, in the spirit of what FitEm finds on candidate pairs of
// synthetic receipts (see the comments): m from the kinds of error receipts
// carry, u from how often unrelated candidates agree once blocking has put
// them side by side. Blocking by surname and birth date, and by member number,
// brings in family members and near-miss birthdays, so partial agreement on
// names, a birth date one digit off and a shared 番号 are common among
// non-matches and weigh against. Each field's m and u sum to 1 over its
// non-missing levels.
constexpr DefaultParam kDefaults[] = {
    // Kanji name. NEAR is common in families (太郎 / 次郎).
    {Field::kNameKanji, L::kExact, 0.80, 0.002},
    {Field::kNameKanji, L::kExactAfterFolding, 0.08, 0.0005},
    {Field::kNameKanji, L::kWildcard, 0.06, 0.002},
    {Field::kNameKanji, L::kNear, 0.02, 0.10},
    // A receipt under the surname from before a marriage; among non-matches,
    // a popular given name on the same birth date. m and u of the levels
    // SURNAME_CHANGED and PREVIOUS_MEMBER are FitEm's on gen's default
    // profile (docs/MATCHING.md), u of PREVIOUS_MEMBER held above the floor
    // EM reached.
    {Field::kNameKanji, L::kSurnameChanged, 0.010, 0.0037},
    {Field::kNameKanji, L::kDifferent, 0.030, 0.8918},
    // Kana name. Blocking pairs receipts with namesakes and relatives in kana.
    {Field::kNameKana, L::kExact, 0.86, 0.01},
    {Field::kNameKana, L::kExactAfterFolding, 0.08, 0.002},
    {Field::kNameKana, L::kNear, 0.02, 0.03},
    {Field::kNameKana, L::kSimilar, 0.01, 0.08},
    {Field::kNameKana, L::kSurnameOnly, 0.01, 0.15},
    {Field::kNameKana, L::kSurnameChanged, 0.012, 0.0036},
    {Field::kNameKana, L::kDifferent, 0.008, 0.7244},
    // Birth date: blocking also looks up every near miss of the billed date.
    {Field::kBirthDate, L::kExact, 0.93, 0.005},
    {Field::kBirthDate, L::kOneDigit, 0.04, 0.15},
    {Field::kBirthDate, L::kMonthDaySwapped, 0.01, 0.003},
    {Field::kBirthDate, L::kWrongEra, 0.01, 0.002},
    {Field::kBirthDate, L::kDifferent, 0.01, 0.84},
    {Field::kSex, L::kExact, 0.98, 0.55},
    {Field::kSex, L::kDifferent, 0.02, 0.45},
    // Member key: a third of unroutable receipts follow a change of insurer
    // and carry the old key (PREVIOUS_MEMBER); a household shares its 番号.
    {Field::kMember, L::kExact, 0.55, 0.001},
    {Field::kMember, L::kSameNumber, 0.05, 0.15},
    {Field::kMember, L::kNear, 0.08, 0.002},
    // The key of the person's earlier enrollment: a stale card. Unrelated
    // persons almost never held the billed key.
    {Field::kMember, L::kPreviousMember, 0.23, 0.0005},
    {Field::kMember, L::kDifferent, 0.09, 0.8465},
    // Insurer: a large insurer holds many candidates, hence u of EXACT; a
    // household shares its previous insurer too.
    {Field::kInsurer, L::kExact, 0.55, 0.05},
    {Field::kInsurer, L::kRepaired, 0.08, 0.008},
    {Field::kInsurer, L::kPreviousInsurer, 0.15, 0.006},
    {Field::kInsurer, L::kSameHoubetsuPrefecture, 0.02, 0.02},
    {Field::kInsurer, L::kDifferent, 0.20, 0.916},
    {Field::kAddress, L::kExact, 0.60, 0.002},
    {Field::kAddress, L::kPostalCode, 0.20, 0.001},
    {Field::kAddress, L::kMunicipality, 0.05, 0.01},
    {Field::kAddress, L::kDifferent, 0.15, 0.987},
    {Field::kEnrollment, L::kValid, 0.93, 0.85},
    {Field::kEnrollment, L::kEndedRecently, 0.04, 0.01},
    {Field::kEnrollment, L::kStartsAfter, 0.01, 0.10},
    {Field::kEnrollment, L::kInvalid, 0.02, 0.04},
};

bool IsTfLevel(Field field, Level level) {
  return (field == Field::kNameKana || field == Field::kNameKanji) &&
         (level == L::kExact || level == L::kExactAfterFolding);
}

// Clamps one field's distribution to [floor, 1 - floor] and renormalises.
void Normalize(double floor, std::span<const Level> levels, double* values) {
  double sum = 0;
  for (Level level : levels) {
    if (level == L::kMissing) continue;
    double& v = values[static_cast<int>(level)];
    v = std::clamp(v, floor, 1 - floor);
    sum += v;
  }
  for (Level level : levels) {
    if (level != L::kMissing) values[static_cast<int>(level)] /= sum;
  }
}

absl::Status CheckVector(const ComparisonVector& levels) {
  for (Field field : kAllFields) {
    Level level = levels[static_cast<int>(field)];
    if (!FieldHasLevel(field, level)) {
      return absl::InvalidArgumentError(
          absl::StrCat("level ", AV(LevelName(level)), " is not a level of ",
                       AV(FieldName(field))));
    }
  }
  return absl::OkStatus();
}

// Per field and level: numerators of the next m and u.
using Tally = std::array<std::array<double, kLevelCount>, kFieldCount>;

struct Pattern {
  ComparisonVector levels;
  double count;
};

std::vector<Pattern> Deduplicate(std::span<const ComparisonVector> vectors) {
  absl::flat_hash_map<uint64_t, size_t> index;
  std::vector<Pattern> patterns;
  for (const ComparisonVector& v : vectors) {
    uint64_t code = 0;
    for (Level level : v) code = code * 32 + static_cast<uint64_t>(level);
    auto [it, inserted] = index.try_emplace(code, patterns.size());
    if (inserted) patterns.push_back({v, 0});
    patterns[it->second].count += 1;
  }
  return patterns;
}

// One E-step: accumulates posterior-weighted level counts; returns the log
// likelihood and the expected number of matches.
std::pair<double, double> Expect(const Model& model,
                                 const std::vector<Pattern>& patterns,
                                 Tally* m_tally, Tally* u_tally) {
  double log_likelihood = 0;
  double matches = 0;
  for (const Pattern& p : patterns) {
    double a = std::log(model.lambda);
    double b = std::log1p(-model.lambda);
    for (Field field : kAllFields) {
      Level level = p.levels[static_cast<int>(field)];
      if (level == L::kMissing) continue;
      a += std::log(model.params(field, level).m);
      b += std::log(model.params(field, level).u);
    }
    const double hi = std::max(a, b);
    const double log_sum = hi + std::log(std::exp(a - hi) + std::exp(b - hi));
    const double posterior = std::exp(a - log_sum);
    log_likelihood += p.count * log_sum;
    matches += p.count * posterior;
    for (int f = 0; f < kFieldCount; ++f) {
      const int level = static_cast<int>(p.levels[f]);
      (*m_tally)[f][level] += p.count * posterior;
      (*u_tally)[f][level] += p.count * (1 - posterior);
    }
  }
  return {log_likelihood, matches};
}

// Sets `model`'s m (or u) of each field from a tally blended with `prior`
// pseudo-counts of `base`; returns the largest change.
double Maximize(const Tally& tally, const Model& base, double pseudo_count,
                double floor, bool is_m, Model* model) {
  double change = 0;
  for (Field field : kAllFields) {
    const int f = static_cast<int>(field);
    double values[kLevelCount] = {};
    double total = 0;
    for (Level level : LevelsOf(field)) {
      if (level != L::kMissing) total += tally[f][static_cast<int>(level)];
    }
    if (total + pseudo_count <= 0) continue;  // all missing: keep
    for (Level level : LevelsOf(field)) {
      if (level == L::kMissing) continue;
      const LevelParams& b = base.params(field, level);
      values[static_cast<int>(level)] = (tally[f][static_cast<int>(level)] +
                                         pseudo_count * (is_m ? b.m : b.u)) /
                                        (total + pseudo_count);
    }
    Normalize(floor, LevelsOf(field), values);
    for (Level level : LevelsOf(field)) {
      if (level == L::kMissing) continue;
      double& target =
          is_m ? model->params(field, level).m : model->params(field, level).u;
      change =
          std::max(change, std::abs(target - values[static_cast<int>(level)]));
      target = values[static_cast<int>(level)];
    }
  }
  return change;
}

}  // namespace

// ----------------------------------------------------------------
// TermFrequency

void TermFrequencyTable::Counts::Add(std::string_view key) {
  if (key.empty()) return;
  int& count = by_key[std::string(key)];
  sum_of_squares += 2.0 * count + 1;
  ++count;
  ++total;
}

double TermFrequencyTable::Counts::Frequency(std::string_view key) const {
  auto it = by_key.find(std::string(key));
  return it == by_key.end() || total == 0 ? 0 : it->second / total;
}

double TermFrequencyTable::Counts::Collision() const {
  return total == 0 ? 0 : sum_of_squares / (total * total);
}

void TermFrequencyTable::Add(std::string_view kana_key,
                             std::string_view kanji_loose_key) {
  kana_.Add(kana_key);
  kanji_.Add(kanji_loose_key);
}

double TermFrequencyTable::KanaNameFrequency(std::string_view key) const {
  return kana_.Frequency(key);
}
double TermFrequencyTable::KanjiNameFrequency(std::string_view key) const {
  return kanji_.Frequency(key);
}
double TermFrequencyTable::KanaNameCollision() const {
  return kana_.Collision();
}
double TermFrequencyTable::KanjiNameCollision() const {
  return kanji_.Collision();
}

// ------------------------------------------------------------------------
// Model

Model Model::Default() {
  Model model;
  model.label = "default";
  for (const DefaultParam& p : kDefaults)
    model.params(p.field, p.level) = {p.m, p.u};
  return model;
}

double Model::prior_weight() const { return std::log2(lambda / (1 - lambda)); }

double Model::Weight(Field field, Level level) const {
  if (level == L::kMissing) return 0;
  const LevelParams& p = params(field, level);
  return std::log2(p.m / p.u);
}

double Model::TfWeight(Field field, Level level, double frequency,
                       double collision) const {
  const double base = Weight(field, level);
  if (!IsTfLevel(field, level) || frequency <= 0 || collision <= 0) return base;
  const double adjustment =
      std::log2(collision / std::max(frequency, tf_min_frequency));
  return base + std::clamp(adjustment, -tf_max_adjustment, tf_max_adjustment);
}

double Model::Probability(double match_weight) const {
  const std::vector<std::pair<double, double>>& k = calibration.knots;
  if (k.empty()) return 1 / (1 + std::exp2(-match_weight));
  if (match_weight <= k.front().first) return k.front().second;
  if (match_weight >= k.back().first) return k.back().second;
  auto hi =
      std::upper_bound(k.begin(), k.end(), match_weight,
                       [](double w, const std::pair<double, double>& knot) {
                         return w < knot.first;
                       });
  auto lo = hi - 1;
  const double t = (match_weight - lo->first) / (hi->first - lo->first);
  return lo->second + t * (hi->second - lo->second);
}

absl::Status Model::Validate() const {
  if (!(lambda > 0 && lambda < 1)) {
    return absl::InvalidArgumentError("lambda must lie in (0, 1)");
  }
  if (!(tf_min_frequency > 0 && tf_max_adjustment >= 0)) {
    return absl::InvalidArgumentError("tf settings out of range");
  }
  for (Field field : kAllFields) {
    double sum_m = 0;
    double sum_u = 0;
    for (Level level : LevelsOf(field)) {
      if (level == L::kMissing) continue;
      const LevelParams& p = params(field, level);
      if (!(p.m > 0 && p.m < 1 && p.u > 0 && p.u < 1)) {
        return absl::InvalidArgumentError(
            absl::StrCat(AV(FieldName(field)), ".", AV(LevelName(level)),
                         ": m and u must lie in (0, 1)"));
      }
      sum_m += p.m;
      sum_u += p.u;
    }
    if (std::abs(sum_m - 1) > 1e-6 || std::abs(sum_u - 1) > 1e-6) {
      return absl::InvalidArgumentError(
          absl::StrCat(AV(FieldName(field)), ": m and u must each sum to 1"));
    }
  }
  const auto& knots = calibration.knots;
  for (size_t i = 0; i < knots.size(); ++i) {
    const bool in_range = knots[i].second >= 0 && knots[i].second <= 1;
    const bool monotone = i == 0 || (knots[i].first > knots[i - 1].first &&
                                     knots[i].second >= knots[i - 1].second);
    if (!in_range || !monotone) {
      return absl::InvalidArgumentError("calibration knots are not monotone");
    }
  }
  return absl::OkStatus();
}

// -------------------------------------------------------------------- Fitting

absl::StatusOr<EmResult> FitEm(const Model& start,
                               std::span<const ComparisonVector> vectors,
                               const EmOptions& options) {
  if (vectors.empty())
    return absl::InvalidArgumentError("no comparison vectors");
  for (const ComparisonVector& v : vectors) RETURN_IF_ERROR(CheckVector(v));
  const std::vector<Pattern> patterns = Deduplicate(vectors);
  const double n = static_cast<double>(vectors.size());
  EmResult result{start, 0, false, 0};
  Model& model = result.model;
  while (result.iterations < options.max_iterations && !result.converged) {
    Tally m_tally{};
    Tally u_tally{};
    const double matches = Expect(model, patterns, &m_tally, &u_tally).second;
    double change =
        Maximize(m_tally, model, 0, options.probability_floor, true, &model);
    change = std::max(
        change,
        Maximize(u_tally, model, 0, options.probability_floor, false, &model));
    if (options.estimate_lambda) {
      const double lambda = std::clamp(matches / n, options.probability_floor,
                                       1 - options.probability_floor);
      change = std::max(change, std::abs(lambda - model.lambda));
      model.lambda = lambda;
    }
    ++result.iterations;
    result.converged = change < options.tolerance;
  }
  Tally unused_m{};
  Tally unused_u{};
  result.log_likelihood = Expect(model, patterns, &unused_m, &unused_u).first;
  return result;
}

absl::StatusOr<Model> RefitFromLabels(const Model& base,
                                      std::span<const LabelledVector> labelled,
                                      const RefitOptions& options) {
  Tally m_tally{};
  Tally u_tally{};
  for (const LabelledVector& v : labelled) {
    RETURN_IF_ERROR(CheckVector(v.levels));
    Tally& tally = v.is_match ? m_tally : u_tally;
    for (int f = 0; f < kFieldCount; ++f)
      tally[f][static_cast<int>(v.levels[f])] += 1;
  }
  Model model = base;
  Maximize(m_tally, base, options.pseudo_count, options.probability_floor, true,
           &model);
  Maximize(u_tally, base, options.pseudo_count, options.probability_floor,
           false, &model);
  return model;
}

absl::StatusOr<Calibration> FitCalibration(
    std::span<const LabelledWeight> labelled) {
  if (labelled.size() < 2) {
    return absl::InvalidArgumentError("calibration needs at least 2 labels");
  }
  std::vector<LabelledWeight> sorted(labelled.begin(), labelled.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const LabelledWeight& a, const LabelledWeight& b) {
              return a.match_weight < b.match_weight;
            });
  struct Block {
    double matches = 0, n = 0, weight_sum = 0;
    double mean() const { return matches / n; }
  };
  std::vector<Block> blocks;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const bool tie =
        i > 0 && sorted[i].match_weight == sorted[i - 1].match_weight;
    if (!tie) blocks.push_back({});
    Block& b = blocks.back();
    b.matches += sorted[i].is_match ? 1 : 0;
    b.n += 1;
    b.weight_sum += sorted[i].match_weight;
    // Pool adjacent violators, and equal neighbours into maximal blocks.
    while (blocks.size() >= 2 &&
           blocks[blocks.size() - 2].mean() >= blocks.back().mean()) {
      Block last = blocks.back();
      blocks.pop_back();
      blocks.back().matches += last.matches;
      blocks.back().n += last.n;
      blocks.back().weight_sum += last.weight_sum;
    }
  }
  Calibration calibration;
  double floor = 0;
  for (const Block& b : blocks) {
    floor = std::max(floor, (b.matches + 1) / (b.n + 2));
    calibration.knots.emplace_back(b.weight_sum / b.n, floor);
  }
  return calibration;
}

}  // namespace kuromaru::matcher
