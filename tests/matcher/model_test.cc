#include "matcher/model.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "base/hash.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kuromaru::matcher {
namespace {

using ::testing::HasSubstr;

constexpr Field kFields[] = {
    Field::kNameKanji, Field::kNameKana, Field::kBirthDate, Field::kSex,
    Field::kMember,    Field::kInsurer,  Field::kAddress,   Field::kEnrollment};

// DIFFERENT takes what the other levels of `field` leave, so that the field
// still sums to 1.
void Rebalance(Model* model, Field field) {
  double m = 1, u = 1;
  for (Level level : LevelsOf(field)) {
    if (level == Level::kMissing || level == Level::kDifferent) continue;
    m -= model->params(field, level).m;
    u -= model->params(field, level).u;
  }
  model->params(field, Level::kDifferent) = {m, u};
}

// A model unlike the default: what EM should find again.
Model Truth() {
  Model truth = Model::Default();
  truth.lambda = 0.15;
  truth.params(Field::kNameKana, Level::kExact) = {0.75, 0.02};
  truth.params(Field::kBirthDate, Level::kExact) = {0.88, 0.01};
  truth.params(Field::kSex, Level::kExact) = {0.95, 0.45};
  truth.params(Field::kMember, Level::kExact) = {0.40, 0.003};
  truth.params(Field::kInsurer, Level::kExact) = {0.60, 0.20};
  for (Field field : {Field::kNameKana, Field::kBirthDate, Field::kSex,
                      Field::kMember, Field::kInsurer}) {
    Rebalance(&truth, field);
  }
  EXPECT_TRUE(truth.Validate().ok()) << truth.Validate();
  return truth;
}

Level Draw(std::mt19937_64& rng, const Model& model, Field field, bool match) {
  std::vector<Level> levels;
  std::vector<double> weights;
  for (Level level : LevelsOf(field)) {
    if (level == Level::kMissing) continue;
    levels.push_back(level);
    const LevelParams& p = model.params(field, level);
    weights.push_back(match ? p.m : p.u);
  }
  std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
  return levels[pick(rng)];
}

std::vector<LabelledVector> Simulate(const Model& model, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution is_match(model.lambda);
  std::uniform_real_distribution<double> uniform(0, 1);
  // Receipts lack member, insurer and address far more often than names.
  const double missing[kFieldCount] = {0.05, 0.02, 0.0, 0.05,
                                       0.3,  0.3,  0.6, 0.0};
  std::vector<LabelledVector> out(n);
  for (LabelledVector& v : out) {
    v.is_match = is_match(rng);
    for (Field field : kFields) {
      const int f = static_cast<int>(field);
      v.levels[f] = uniform(rng) < missing[f]
                        ? Level::kMissing
                        : Draw(rng, model, field, v.is_match);
    }
  }
  return out;
}

std::vector<ComparisonVector> Unlabelled(const std::vector<LabelledVector>& v) {
  std::vector<ComparisonVector> out;
  for (const LabelledVector& x : v) out.push_back(x.levels);
  return out;
}

double MaxError(const Model& a, const Model& b) {
  double error = 0;
  for (Field field : kFields) {
    for (Level level : LevelsOf(field)) {
      if (level == Level::kMissing) continue;
      error = std::max(
          error, std::abs(a.params(field, level).m - b.params(field, level).m));
      error = std::max(
          error, std::abs(a.params(field, level).u - b.params(field, level).u));
    }
  }
  return error;
}

// Replaces the hash line of a model file with the hash of its new body.
std::string Rehash(const std::string& file) {
  const size_t at = file.rfind("fnv1a64=");
  const std::string body = file.substr(0, at);
  return absl::StrCat(body,
                      absl::StrFormat("fnv1a64=%016x\n", base::Fnv1a64(body)));
}

// `file` with the line of `key` replaced by `line` (removed when empty).
std::string SetLine(const std::string& file, std::string_view key,
                    std::string_view line) {
  const size_t at = file.find(absl::StrCat("\n", std::string(key), "=")) + 1;
  const size_t end = file.find('\n', at) + 1;
  return absl::StrCat(file.substr(0, at), std::string(line),
                      line.empty() ? "" : "\n", file.substr(end));
}

TEST(ModelTest, DefaultIsValidAndReadable) {
  const Model model = Model::Default();
  EXPECT_TRUE(model.Validate().ok()) << model.Validate();
  EXPECT_NEAR(model.prior_weight(), std::log2(0.04 / 0.96), 1e-12);
  for (Field field : kFields) {
    std::span<const Level> levels = LevelsOf(field);
    EXPECT_GT(model.Weight(field, levels.front()), 0) << FieldName(field);
    EXPECT_LT(model.Weight(field, levels[levels.size() - 2]), 0)
        << FieldName(field);
    EXPECT_EQ(model.Weight(field, Level::kMissing), 0) << FieldName(field);
  }
  EXPECT_NEAR(model.Weight(Field::kBirthDate, Level::kExact),
              std::log2(0.93 / 0.005), 1e-12);
}

TEST(ModelTest, ValidateRejectsBrokenParameters) {
  Model model = Model::Default();
  model.params(Field::kSex, Level::kExact).m = 0.5;
  EXPECT_THAT(model.Validate().message(), HasSubstr("sex"));
  model = Model::Default();
  model.lambda = 1;
  EXPECT_FALSE(model.Validate().ok());
  model = Model::Default();
  model.calibration.knots = {{0, 0.5}, {1, 0.4}};
  EXPECT_FALSE(model.Validate().ok());
}

TEST(ModelTest, TermFrequencyCommonNameWeighsLess) {
  const Model model = Model::Default();
  const double collision = 1e-4;
  const double base = model.Weight(Field::kNameKana, Level::kExact);
  const double common =
      model.TfWeight(Field::kNameKana, Level::kExact, 2e-3, collision);
  const double typical =
      model.TfWeight(Field::kNameKana, Level::kExact, 1e-4, collision);
  const double rare =
      model.TfWeight(Field::kNameKana, Level::kExact, 1e-5, collision);
  EXPECT_LT(common, typical);
  EXPECT_LT(typical, rare);
  EXPECT_NEAR(typical, base, 1e-12);
  EXPECT_NEAR(common, base + std::log2(1e-4 / 2e-3), 1e-12);
  // Clamped to ±tf_max_adjustment bits.
  EXPECT_NEAR(model.TfWeight(Field::kNameKana, Level::kExact, 1e-12, collision),
              base + model.tf_max_adjustment, 1e-12);
  EXPECT_NEAR(model.TfWeight(Field::kNameKanji, Level::kExactAfterFolding, 0.5,
                             collision),
              model.Weight(Field::kNameKanji, Level::kExactAfterFolding) -
                  model.tf_max_adjustment,
              1e-12);
  // Unknown frequency, or a level that is not agreement on the name: as is.
  EXPECT_EQ(model.TfWeight(Field::kNameKana, Level::kExact, 0, collision),
            base);
  EXPECT_EQ(model.TfWeight(Field::kNameKana, Level::kNear, 2e-3, collision),
            model.Weight(Field::kNameKana, Level::kNear));
  EXPECT_EQ(model.TfWeight(Field::kBirthDate, Level::kExact, 2e-3, collision),
            model.Weight(Field::kBirthDate, Level::kExact));
}

TEST(ModelTest, TermFrequencyTableCounts) {
  TermFrequencyTable table;
  table.Add("サトウヒロシ", "佐藤博");
  table.Add("サトウヒロシ", "佐藤浩");
  table.Add("サトウヒロシ", "佐藤博");
  table.Add("ミナセカオル", "");
  EXPECT_DOUBLE_EQ(table.KanaNameFrequency("サトウヒロシ"), 0.75);
  EXPECT_DOUBLE_EQ(table.KanaNameFrequency("ミナセカオル"), 0.25);
  EXPECT_DOUBLE_EQ(table.KanaNameFrequency("タナカ"), 0);
  EXPECT_DOUBLE_EQ(table.KanjiNameFrequency("佐藤博"), 2.0 / 3);
  EXPECT_DOUBLE_EQ(table.KanaNameCollision(), 0.75 * 0.75 + 0.25 * 0.25);
  EXPECT_DOUBLE_EQ(table.KanjiNameCollision(), (4.0 + 1.0) / 9);
  EXPECT_DOUBLE_EQ(TermFrequencyTable().KanaNameCollision(), 0);
}

TEST(ModelTest, ProbabilityIsTheLogisticOfTheWeight) {
  const Model model = Model::Default();
  EXPECT_DOUBLE_EQ(model.Probability(0), 0.5);
  EXPECT_NEAR(model.Probability(10), 1024.0 / 1025.0, 1e-12);
  EXPECT_NEAR(model.Probability(-10), 1.0 / 1025.0, 1e-12);
}

TEST(ModelTest, EmRecoversKnownParameters) {
  const Model truth = Truth();
  const std::vector<LabelledVector> data = Simulate(truth, 40000, 20261124);
  const std::vector<ComparisonVector> vectors = Unlabelled(data);
  absl::StatusOr<EmResult> fit = FitEm(Model::Default(), vectors, EmOptions());
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_TRUE(fit->converged);
  EXPECT_GT(fit->iterations, 1);
  EXPECT_NEAR(fit->model.lambda, truth.lambda, 0.01);
  EXPECT_LT(MaxError(fit->model, truth), 0.025);
  EXPECT_GT(MaxError(Model::Default(), truth), 0.1);  // it did move
  EXPECT_TRUE(fit->model.Validate().ok()) << fit->model.Validate();
  // The fit explains the data better than the starting point.
  absl::StatusOr<EmResult> start =
      FitEm(Model::Default(), vectors, {.max_iterations = 0});
  ASSERT_TRUE(start.ok());
  EXPECT_GT(fit->log_likelihood, start->log_likelihood);
}

TEST(ModelTest, EmClampsAndCanKeepLambda) {
  // Every pair agrees on sex: DIFFERENT must stay possible.
  std::vector<ComparisonVector> vectors(100);
  for (ComparisonVector& v : vectors) {
    v.fill(Level::kMissing);
    v[static_cast<int>(Field::kSex)] = Level::kExact;
  }
  EmOptions options;
  options.estimate_lambda = false;
  options.probability_floor = 1e-4;
  absl::StatusOr<EmResult> fit = FitEm(Model::Default(), vectors, options);
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_EQ(fit->model.lambda, Model::Default().lambda);
  EXPECT_GE(fit->model.params(Field::kSex, Level::kDifferent).m, 1e-4 * 0.99);
  EXPECT_GE(fit->model.params(Field::kSex, Level::kDifferent).u, 1e-4 * 0.99);
  EXPECT_TRUE(fit->model.Validate().ok());
  // Fields that are always missing keep their parameters.
  EXPECT_EQ(fit->model.params(Field::kMember, Level::kExact).m,
            Model::Default().params(Field::kMember, Level::kExact).m);
}

TEST(ModelTest, EmRejectsBadInput) {
  EXPECT_EQ(FitEm(Model::Default(), {}, EmOptions()).status().code(),
            absl::StatusCode::kInvalidArgument);
  ComparisonVector bad;
  bad.fill(Level::kMissing);
  bad[static_cast<int>(Field::kSex)] = Level::kNear;
  absl::StatusOr<EmResult> fit =
      FitEm(Model::Default(), std::vector<ComparisonVector>{bad}, EmOptions());
  EXPECT_THAT(fit.status().message(), HasSubstr("NEAR is not a level of sex"));
}

TEST(ModelTest, RefitFromLabelsMovesTowardsTheLabels) {
  const Model truth = Truth();
  const std::vector<LabelledVector> labels = Simulate(truth, 20000, 7);
  absl::StatusOr<Model> refit =
      RefitFromLabels(Model::Default(), labels, RefitOptions());
  ASSERT_TRUE(refit.ok()) << refit.status();
  EXPECT_TRUE(refit->Validate().ok()) << refit->Validate();
  EXPECT_LT(MaxError(*refit, truth), 0.03);
  EXPECT_EQ(refit->lambda, Model::Default().lambda);
  // Without labels the base stays; a large pseudo-count barely moves it.
  absl::StatusOr<Model> none =
      RefitFromLabels(Model::Default(), {}, RefitOptions());
  ASSERT_TRUE(none.ok());
  EXPECT_LT(MaxError(*none, Model::Default()), 1e-9);
  absl::StatusOr<Model> stubborn =
      RefitFromLabels(Model::Default(), labels, {.pseudo_count = 1e9});
  ASSERT_TRUE(stubborn.ok());
  EXPECT_LT(MaxError(*stubborn, Model::Default()), 1e-4);
}

TEST(ModelTest, CalibrationIsMonotoneAndNeverCertain) {
  // Labels from a logistic that is steeper than the FS posterior, with noise.
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> weight(-20, 30);
  std::uniform_real_distribution<double> uniform(0, 1);
  std::vector<LabelledWeight> labels;
  for (int i = 0; i < 5000; ++i) {
    const double w = weight(rng);
    const double p = 1 / (1 + std::exp2(-(w - 5) / 2));
    labels.push_back({w, uniform(rng) < p});
  }
  absl::StatusOr<Calibration> calibration = FitCalibration(labels);
  ASSERT_TRUE(calibration.ok()) << calibration.status();
  ASSERT_GE(calibration->knots.size(), 2u);
  Model model = Model::Default();
  model.calibration = *calibration;
  EXPECT_TRUE(model.Validate().ok()) << model.Validate();
  double previous = 0;
  for (double w = -40; w <= 40; w += 0.25) {
    const double p = model.Probability(w);
    EXPECT_GE(p, previous) << w;
    EXPECT_GT(p, 0) << w;
    EXPECT_LT(p, 1) << w;
    previous = p;
  }
  EXPECT_LT(model.Probability(-10), 0.05);
  EXPECT_GT(model.Probability(25), 0.99);
  EXPECT_NEAR(model.Probability(5), 0.5, 0.15);
  EXPECT_FALSE(FitCalibration({}).ok());
}

TEST(ModelTest, CalibrationPoolsViolators) {
  const LabelledWeight labels[] = {{1, true}, {2, false}, {3, true}, {4, true}};
  absl::StatusOr<Calibration> calibration = FitCalibration(labels);
  ASSERT_TRUE(calibration.ok());
  // {1, 2} pool to one block of 1 match in 2: (1 + 1) / (2 + 2); {3, 4} are
  // equal neighbours and pool too.
  ASSERT_EQ(calibration->knots.size(), 2u);
  EXPECT_DOUBLE_EQ(calibration->knots[0].first, 1.5);
  EXPECT_DOUBLE_EQ(calibration->knots[0].second, 0.5);
  EXPECT_DOUBLE_EQ(calibration->knots[1].first, 3.5);
  EXPECT_DOUBLE_EQ(calibration->knots[1].second, 0.75);
}

TEST(ModelFileTest, RoundTrip) {
  absl::StatusOr<EmResult> fit = FitEm(
      Model::Default(), Unlabelled(Simulate(Truth(), 2000, 5)), EmOptions());
  ASSERT_TRUE(fit.ok());
  Model model = fit->model;
  model.label = "em-test";
  model.calibration.knots = {{-3, 0.01}, {0, 0.4}, {8.5, 0.999}};
  const std::string text = SerializeModel(model);
  EXPECT_THAT(text, ::testing::StartsWith("kuromaru-model 2\n"));
  absl::StatusOr<Model> parsed = ParseModel(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->label, "em-test");
  EXPECT_EQ(parsed->lambda, model.lambda);
  EXPECT_EQ(MaxError(*parsed, model), 0);
  EXPECT_EQ(parsed->calibration.knots, model.calibration.knots);
  EXPECT_EQ(SerializeModel(*parsed), text);
  // Comments and blank lines are allowed (the hash covers them).
  const std::string commented = Rehash(absl::StrReplaceAll(
      text, {{"lambda=", "# fitted on synthetic data\n\nlambda="}}));
  EXPECT_TRUE(ParseModel(commented).ok()) << ParseModel(commented).status();
}

TEST(ModelFileTest, VersionIsChecked) {
  const std::string text = SerializeModel(Model::Default());
  const std::string v3 = Rehash(
      absl::StrReplaceAll(text, {{"kuromaru-model 2", "kuromaru-model 3"}}));
  absl::StatusOr<Model> parsed = ParseModel(v3);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(),
              HasSubstr("line 1: unsupported model format version 3"));
  EXPECT_THAT(ParseModel("label=x\n").status().message(),
              HasSubstr("line 1: not a kuromaru model file"));
}

// A version 1 file (before SURNAME_CHANGED and PREVIOUS_MEMBER) is read,
// each added level taking the built-in m and u and the others scaled.
TEST(ModelFileTest, VersionOneFilesAreUpgraded) {
  // A version 1 model: the added levels' mass was DIFFERENT's.
  Model model = Model::Default();
  model.label = "old";
  for (auto [field, added] : {std::pair{Field::kMember, Level::kPreviousMember},
                              {Field::kNameKana, Level::kSurnameChanged},
                              {Field::kNameKanji, Level::kSurnameChanged}}) {
    LevelParams& different = model.params(field, Level::kDifferent);
    different.m += model.params(field, added).m;
    different.u += model.params(field, added).u;
  }
  std::string text = SerializeModel(model);
  std::string v1;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StrContains(line, "SURNAME_CHANGED") ||
        absl::StrContains(line, "PREVIOUS_MEMBER") ||
        absl::StartsWith(line, "fnv1a64=") || line.empty()) {
      continue;
    }
    absl::StrAppend(&v1, line, "\n");
  }
  v1 = Rehash(absl::StrReplaceAll(v1 + "fnv1a64=0\n",
                                  {{"kuromaru-model 2", "kuromaru-model 1"}}));
  absl::StatusOr<Model> parsed = ParseModel(v1);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const Model defaults = Model::Default();
  EXPECT_EQ(parsed->params(Field::kMember, Level::kPreviousMember).m,
            defaults.params(Field::kMember, Level::kPreviousMember).m);
  const double scale =
      1 - defaults.params(Field::kMember, Level::kPreviousMember).m;
  EXPECT_NEAR(parsed->params(Field::kMember, Level::kExact).m,
              model.params(Field::kMember, Level::kExact).m * scale, 1e-12);
  EXPECT_TRUE(parsed->Validate().ok());
}

TEST(ModelFileTest, CorruptFilesNameTheLine) {
  const std::string text = SerializeModel(Model::Default());
  // An altered value without a new hash: the hash line reports it.
  const std::string altered = SetLine(text, "lambda", "lambda=0.03");
  absl::StatusOr<Model> parsed = ParseModel(altered);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss);
  const int lines =
      static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  EXPECT_THAT(
      parsed.status().message(),
      HasSubstr(absl::StrCat("line ", lines, ": content hash mismatch")));
  // A malformed line with a valid hash: its line number.
  parsed = ParseModel(Rehash(SetLine(text, "lambda", "lambda=zero")));
  EXPECT_THAT(parsed.status().message(),
              HasSubstr("line 3: not a number for lambda"));
  parsed = ParseModel(Rehash(SetLine(text, "lambda", "lambda 0.04")));
  EXPECT_THAT(parsed.status().message(),
              HasSubstr("line 3: expected key=value"));
  parsed = ParseModel(Rehash(absl::StrReplaceAll(
      text, {{"m.sex.EXACT=", "m.sex.NEAR=0.5\nm.sex.EXACT="}})));
  EXPECT_THAT(parsed.status().message(), HasSubstr("unknown key m.sex.NEAR"));
  parsed = ParseModel(Rehash(absl::StrReplaceAll(
      text, {{"label=default", "label=default\nlambda=0.5"}})));
  EXPECT_THAT(parsed.status().message(), HasSubstr("duplicate key lambda"));
  // A parameter left out, and no hash at all.
  parsed = ParseModel(Rehash(SetLine(text, "u.sex.DIFFERENT", "")));
  EXPECT_THAT(parsed.status().message(), HasSubstr("lacks u.sex.DIFFERENT"));
  const std::string unhashed = text.substr(0, text.rfind("fnv1a64="));
  EXPECT_EQ(ParseModel(unhashed).status().code(), absl::StatusCode::kDataLoss);
  // Values that parse but break the model.
  parsed = ParseModel(Rehash(SetLine(text, "m.sex.EXACT", "m.sex.EXACT=0.5")));
  EXPECT_THAT(parsed.status().message(),
              HasSubstr("sex: m and u must each sum to 1"));
}

}  // namespace
}  // namespace kuromaru::matcher
