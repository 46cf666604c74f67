// The Fellegi–Sunter model: per field and comparison level, the probability m
// of the level among true matches and u among non-matches, and the prior
// probability λ that a candidate pair is a match.
//
//   Model model = Model::Default();
//   double w = model.prior_weight();                 // log2(λ / (1 - λ))
//   w += model.Weight(Field::kBirthDate, Level::kExact);  // log2(m / u)
//   double p = model.Probability(w);                 // calibrated
//
// Pairs here are candidate pairs (a receipt and an enrollment its blocking
// found), not random pairs, so λ and u are measured among candidates. MISSING
// weighs 0: m = u by definition, and neither is estimated.
//
// Term frequency (as in Splink): agreeing on a common name says less than
// agreeing on a rare one. For the name levels EXACT and EXACT_AFTER_FOLDING,
//
//   weight = log2(m / u) + log2(c / max(f, tf_min_frequency))
//
// clamped to ±tf_max_adjustment bits around log2(m / u), where f is the
// share of the roster's persons that bear the name and c the probability that
// two persons drawn at random share a name (Σ f²): a name as common as a
// typical one keeps the model's weight. This is Splink's log2(m / f) with the
// roster's collision rate standing in for u, since the model's u is measured
// among candidates, not random pairs.
//
// The model is fitted by EM on unlabelled comparison vectors (FitEm), refined
// with labelled pairs (RefitFromLabels), and calibrated on labelled weights
// (FitCalibration). It is saved as a versioned text file (ParseModel /
// SerializeModel).
//
// A Model is a value; const methods are thread-safe.
#ifndef KUROMARU_MATCHER_MODEL_H_
#define KUROMARU_MATCHER_MODEL_H_

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "matcher/comparison.h"

namespace kuromaru::matcher {

// Name frequencies in the roster, provided by the roster index.
// Implementations must be thread-safe for concurrent const calls.
class TermFrequency {
 public:
  virtual ~TermFrequency() = default;
  // Share (0..1) of the roster's persons whose kana key is `kana_key`; 0 when
  // unknown.
  virtual double KanaNameFrequency(std::string_view kana_key) const = 0;
  // Share of persons whose loose kanji key is `kanji_loose_key`; 0 if unknown.
  virtual double KanjiNameFrequency(std::string_view kanji_loose_key) const = 0;
  // Σ f² over kana keys (resp. loose kanji keys): the chance that two persons
  // drawn at random share the name. 0 when unknown (no adjustment).
  virtual double KanaNameCollision() const = 0;
  virtual double KanjiNameCollision() const = 0;
};

// A TermFrequency built from the persons' keys, one Add per person.
// Not thread-safe while adding; thread-safe for const calls afterwards.
class TermFrequencyTable : public TermFrequency {
 public:
  // Counts one person; an empty key is not counted for its script.
  void Add(std::string_view kana_key, std::string_view kanji_loose_key);

  double KanaNameFrequency(std::string_view kana_key) const override;
  double KanjiNameFrequency(std::string_view kanji_loose_key) const override;
  double KanaNameCollision() const override;
  double KanjiNameCollision() const override;

 private:
  struct Counts {
    absl::flat_hash_map<std::string, int> by_key;
    double total = 0;
    double sum_of_squares = 0;  // Σ count², kept as counts grow
    void Add(std::string_view key);
    double Frequency(std::string_view key) const;
    double Collision() const;
  };
  Counts kana_;
  Counts kanji_;
};

struct LevelParams {
  double m = 0.5;
  double u = 0.5;
};

// A monotone map from match weight to probability: knots (weight, p) with
// weights increasing and p non-decreasing, linear between knots and constant
// beyond. Empty: p = 2^w / (1 + 2^w).
struct Calibration {
  std::vector<std::pair<double, double>> knots;
};

class Model {
 public:
  // The built-in model, with documented m and u (model.cc) and λ = 0.04.
  static Model Default();

  std::string label;  // free text, e.g. "em-2026-11-24"; no spaces or '='
  double lambda = 0.04;
  double tf_min_frequency = 1e-6;
  double tf_max_adjustment = 6.0;  // bits
  Calibration calibration;

  const LevelParams& params(Field field, Level level) const {
    return params_[static_cast<int>(field)][static_cast<int>(level)];
  }
  LevelParams& params(Field field, Level level) {
    return params_[static_cast<int>(field)][static_cast<int>(level)];
  }

  // log2(λ / (1 - λ)).
  double prior_weight() const;
  // log2(m / u) of a level; 0 for MISSING.
  double Weight(Field field, Level level) const;
  // Weight with the term-frequency adjustment described above, for a name
  // level agreeing on a name of roster frequency `frequency` and roster
  // collision rate `collision`. Other levels, f = 0 or c = 0: Weight().
  double TfWeight(Field field, Level level, double frequency,
                  double collision) const;
  // Calibrated probability of a match weight (prior included).
  double Probability(double match_weight) const;

  // Ok, or InvalidArgument naming the first field whose m or u is outside
  // (0, 1) or does not sum to 1 (±1e-6) over the non-missing levels, a λ
  // outside (0, 1), or calibration knots that are not monotone.
  absl::Status Validate() const;

 private:
  std::array<std::array<LevelParams, kLevelCount>, kFieldCount> params_{};
};

// Unsupervised fitting, by expectation–maximisation over comparison vectors.
struct EmOptions {
  // Default: 200.
  int max_iterations = 200;
  // Stop when no m, u or λ moves by more than this in one iteration.
  // Default: 1e-6.
  double tolerance = 1e-6;
  // m and u are clamped to [floor, 1 - floor] and renormalised, so that no
  // level becomes impossible. Default: 1e-5.
  double probability_floor = 1e-5;
  // Estimate λ too; otherwise keep the starting model's. Default: true.
  bool estimate_lambda = true;
};

struct EmResult {
  Model model;
  int iterations = 0;
  bool converged = false;
  double log_likelihood = 0;  // natural log, of the final model
};

// Fits m, u and λ starting from `start` (its calibration and term-frequency
// settings are kept). Returns InvalidArgument for no vectors or a vector
// holding a level its field does not use.
absl::StatusOr<EmResult> FitEm(const Model& start,
                               std::span<const ComparisonVector> vectors,
                               const EmOptions& options);

struct LabelledVector {
  ComparisonVector levels{};
  bool is_match = false;
};

struct RefitOptions {
  // Weight of the base model's m and u, in pseudo-pairs: each field's level
  // distribution becomes (counts + k · base) / (n + k). Default: 100.
  double pseudo_count = 100;
  double probability_floor = 1e-5;  // as in EmOptions
};

// Refines m from labelled matches and u from labelled non-matches, blended
// with `base` (typically FitEm's result). λ is kept: labelled sets are not a
// sample of candidates. Returns InvalidArgument as FitEm.
absl::StatusOr<Model> RefitFromLabels(const Model& base,
                                      std::span<const LabelledVector> labelled,
                                      const RefitOptions& options);

struct LabelledWeight {
  double match_weight = 0;
  bool is_match = false;
};

// Isotonic regression (pool adjacent violators) of the labels on the match
// weight, each pooled block smoothed to (matches + 1) / (n + 2) so that no
// probability is 0 or 1. Returns InvalidArgument for fewer than 2 labels.
absl::StatusOr<Calibration> FitCalibration(
    std::span<const LabelledWeight> labelled);

// The model file: UTF-8 text, one `key=value` per line, '#' comments.
//
//   kuromaru-model 1
//   label=default
//   lambda=0.04
//   tf_min_frequency=1e-06
//   tf_max_adjustment=6
//   m.name_kana.EXACT=0.86
//   u.name_kana.EXACT=0.01
//   …                                  every non-missing level of every field
//   calibration=-3:0.01 0:0.4 8:0.99   optional, weight:probability knots
//   fnv1a64=…                          see below
//
// The last line is `fnv1a64=` and the FNV-1a 64-bit hash (16 hex digits) of
// every byte before it: a file edited by hand must be re-serialized.
//
// Version 2 added the levels name_kanji.SURNAME_CHANGED,
// name_kana.SURNAME_CHANGED and member.PREVIOUS_MEMBER. A version 1 file is
// still read: each of those levels takes the built-in model's m and u, and
// the file's other levels of that field are scaled by (1 - that m) and
// (1 - that u), so that the field still sums to 1 and keeps its ratios.
inline constexpr int kModelFormatVersion = 2;

std::string SerializeModel(const Model& model);

// Errors: InvalidArgument "line N: …" for a malformed line, an unknown key, a
// missing parameter or an unsupported version; DataLoss for a hash mismatch or
// a missing hash line; InvalidArgument from Model::Validate.
absl::StatusOr<Model> ParseModel(std::string_view text);

// Reads and parses a model file; an empty path is Model::Default(). NotFound
// when it cannot be read; ParseModel's errors, prefixed with the path.
absl::StatusOr<Model> ReadModelFile(const std::string& path);

// The model's version as recorded with every match: its label (or "default")
// and the first 8 hex digits of its file hash, e.g. "em-2026-11-24@3f2a9c1d".
std::string ModelVersion(const Model& model);

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_MODEL_H_
