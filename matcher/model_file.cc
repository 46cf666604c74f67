// The model file: SerializeModel, ParseModel, ModelVersion (model.h).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/hash.h"
#include "base/status_macros.h"
#include "matcher/model.h"

namespace kuromaru::matcher {
namespace {

using L = Level;

absl::string_view AV(std::string_view s) { return {s.data(), s.size()}; }

std::string FormatDouble(double value) {
  return absl::StrFormat("%.17g", value);
}

}  // namespace

std::string SerializeModel(const Model& model) {
  std::string out = absl::StrCat("kuromaru-model ", kModelFormatVersion, "\n");
  absl::StrAppend(&out, "label=", model.label, "\n");
  absl::StrAppend(&out, "lambda=", FormatDouble(model.lambda), "\n");
  absl::StrAppend(
      &out, "tf_min_frequency=", FormatDouble(model.tf_min_frequency), "\n");
  absl::StrAppend(
      &out, "tf_max_adjustment=", FormatDouble(model.tf_max_adjustment), "\n");
  for (Field field : kAllFields) {
    for (Level level : LevelsOf(field)) {
      if (level == L::kMissing) continue;
      const LevelParams& p = model.params(field, level);
      absl::StrAppend(&out, "m.", AV(FieldName(field)), ".",
                      AV(LevelName(level)), "=", FormatDouble(p.m), "\n");
      absl::StrAppend(&out, "u.", AV(FieldName(field)), ".",
                      AV(LevelName(level)), "=", FormatDouble(p.u), "\n");
    }
  }
  if (!model.calibration.knots.empty()) {
    std::vector<std::string> knots;
    for (const auto& [w, p] : model.calibration.knots) {
      knots.push_back(absl::StrCat(FormatDouble(w), ":", FormatDouble(p)));
    }
    absl::StrAppend(&out, "calibration=", absl::StrJoin(knots, " "), "\n");
  }
  absl::StrAppend(&out, absl::StrFormat("fnv1a64=%016x\n", base::Fnv1a64(out)));
  return out;
}

namespace {

absl::Status LineError(int line, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", message));
}

absl::StatusOr<double> ParseNumber(int line, absl::string_view key,
                                   absl::string_view value) {
  double number = 0;
  if (!absl::SimpleAtod(value, &number) || !std::isfinite(number)) {
    return LineError(line, absl::StrCat("not a number for ", key));
  }
  return number;
}

absl::Status ParseCalibration(int line, absl::string_view value,
                              Calibration* out) {
  for (absl::string_view knot : absl::StrSplit(value, ' ', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(knot, absl::MaxSplits(':', 1));
    ASSIGN_OR_RETURN(double w, ParseNumber(line, "calibration", parts.first));
    ASSIGN_OR_RETURN(double p, ParseNumber(line, "calibration", parts.second));
    out->knots.emplace_back(w, p);
  }
  return absl::OkStatus();
}

// The m or u a key `m.<field>.<LEVEL>` names; nullptr if none.
double* ParameterOf(absl::string_view key, Model* model) {
  std::vector<std::string> parts = absl::StrSplit(key, '.');
  if (parts.size() != 3 || (parts[0] != "m" && parts[0] != "u")) return nullptr;
  std::optional<Field> field = FieldFromName(parts[1]);
  std::optional<Level> level = LevelFromName(parts[2]);
  if (!field || !level || *level == L::kMissing ||
      !FieldHasLevel(*field, *level)) {
    return nullptr;
  }
  LevelParams& p = model->params(*field, *level);
  return parts[0] == "m" ? &p.m : &p.u;
}

// Sets one `key=value` of the model; `seen` collects the keys set.
absl::Status ParseEntry(int line, absl::string_view key,
                        absl::string_view value, Model* model,
                        absl::flat_hash_set<std::string>* seen) {
  if (!seen->insert(std::string(key)).second) {
    return LineError(line, absl::StrCat("duplicate key ", key));
  }
  if (key == "label") {
    model->label = std::string(value);
    return absl::OkStatus();
  }
  if (key == "calibration") {
    return ParseCalibration(line, value, &model->calibration);
  }
  double* target = nullptr;
  if (key == "lambda") target = &model->lambda;
  if (key == "tf_min_frequency") target = &model->tf_min_frequency;
  if (key == "tf_max_adjustment") target = &model->tf_max_adjustment;
  if (target == nullptr) target = ParameterOf(key, model);
  if (target == nullptr)
    return LineError(line, absl::StrCat("unknown key ", key));
  ASSIGN_OR_RETURN(*target, ParseNumber(line, key, value));
  return absl::OkStatus();
}

bool AddedInVersion2(Field field, Level level) {
  return (level == L::kSurnameChanged &&
          (field == Field::kNameKanji || field == Field::kNameKana)) ||
         (field == Field::kMember && level == L::kPreviousMember);
}

// See kModelFormatVersion in model.h.
void UpgradeFromVersion1(Model* model) {
  const Model defaults = Model::Default();
  for (Field field : kAllFields) {
    for (Level added : LevelsOf(field)) {
      if (!AddedInVersion2(field, added)) continue;
      const LevelParams fill = defaults.params(field, added);
      for (Level level : LevelsOf(field)) {
        if (level == L::kMissing || AddedInVersion2(field, level)) continue;
        model->params(field, level).m *= 1 - fill.m;
        model->params(field, level).u *= 1 - fill.u;
      }
      model->params(field, added) = fill;
    }
  }
}

}  // namespace

absl::StatusOr<Model> ParseModel(std::string_view input) {
  const absl::string_view text(input.data(), input.size());
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  absl::string_view header = lines[0];
  int version = 0;
  if (!absl::ConsumePrefix(&header, "kuromaru-model ") ||
      !absl::SimpleAtoi(header, &version)) {
    return LineError(1, "not a kuromaru model file");
  }
  if (version != kModelFormatVersion && version != 1) {
    return LineError(
        1, absl::StrCat("unsupported model format version ", version));
  }
  const size_t hash_at = text.rfind("\nfnv1a64=");
  if (hash_at == absl::string_view::npos) {
    return absl::DataLossError("model file has no fnv1a64 line");
  }
  const absl::string_view body = text.substr(0, hash_at + 1);
  const int hash_line =
      static_cast<int>(std::count(body.begin(), body.end(), '\n')) + 1;
  const absl::string_view stored =
      absl::StripAsciiWhitespace(text.substr(hash_at + 9));
  if (stored != absl::StrFormat("%016x", base::Fnv1a64(std::string_view(
                                             body.data(), body.size())))) {
    return absl::DataLossError(absl::StrCat(
        "line ", hash_line, ": content hash mismatch (file altered)"));
  }
  Model model;
  absl::flat_hash_set<std::string> seen;
  for (int i = 1; i + 1 < hash_line; ++i) {
    const absl::string_view line = absl::StripAsciiWhitespace(lines[i]);
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos)
      return LineError(i + 1, "expected key=value");
    RETURN_IF_ERROR(ParseEntry(i + 1, line.substr(0, eq), line.substr(eq + 1),
                               &model, &seen));
  }
  for (Field field : kAllFields) {
    for (Level level : LevelsOf(field)) {
      if (level == L::kMissing) continue;
      if (version == 1 && AddedInVersion2(field, level)) continue;
      for (const char* which : {"m.", "u."}) {
        std::string key = absl::StrCat(which, AV(FieldName(field)), ".",
                                       AV(LevelName(level)));
        if (!seen.contains(key)) {
          return absl::InvalidArgumentError(
              absl::StrCat("model file lacks ", key));
        }
      }
    }
  }
  if (version == 1) UpgradeFromVersion1(&model);
  RETURN_IF_ERROR(model.Validate());
  return model;
}

std::string ModelVersion(const Model& model) {
  const std::string text = SerializeModel(model);
  const size_t at = text.rfind("fnv1a64=");
  const std::string hash =
      at == std::string::npos ? "" : text.substr(at + 8, 8);
  return (model.label.empty() ? std::string("default") : model.label) + "@" +
         hash;
}

absl::StatusOr<Model> ReadModelFile(const std::string& path) {
  if (path.empty()) return Model::Default();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read model file ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<Model> model = ParseModel(text.str());
  if (!model.ok()) {
    return absl::Status(model.status().code(),
                        absl::StrCat(path, ": ", model.status().message()));
  }
  return model;
}

}  // namespace kuromaru::matcher
