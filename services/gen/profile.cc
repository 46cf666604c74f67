#include "services/gen/profile.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace kuromaru::gen {
namespace {

// The held-out configuration: chosen once, never tuned against.
void SetHeldout(GenOptions* o) {
  o->seed = 4242;
  WorldOptions& w = o->world;
  w.variant_rate = 0.06;
  w.ivs_rate = 0.60;
  w.old_form_rate = 0.03;
  w.namesake_rate = 0.008;
  w.late_rate = 0.05;
  w.marriage_rate = 0.45;
  w.husband_renamed = 0.08;
  w.move_rate = 0.15;
  w.move_in_prefecture = 0.60;
  w.working_spouse_rate = 0.50;
  w.first_job_rate = 0.75;
  w.retire_at_60 = 0.30;
  w.retire_at_65 = 0.75;
  w.voluntary_rate = 0.40;
  w.gap_rate = 0.30;
  w.overlap_rate = 0.10;
  w.late_event_rate = 0.40;
  w.late_member_split = 0.40;
  PolicyMix& p = o->policies;
  p.kouki_no_kana = 0.80;
  p.kokuho_no_kana = 0.35;
  p.employee_no_kana = 0.05;
  p.partial_blank = 0.40;
  p.partial_blank_max = 0.30;
  p.half_width = 0.35;
  p.kana_ascii_space = 0.20;
  p.kana_no_space = 0.20;
  p.kanji_ascii_space = 0.20;
  p.kanji_no_space = 0.25;
  p.substitute = 0.25;
  p.wildcard = 0.25;
  p.gaiji = 0.25;
  p.keep_ivs = 0.10;
  p.small_as_large = 0.25;
  p.ji_for_dji = 0.40;
  p.long_vowel_bar = 0.20;
  p.long_vowel_spelled = 0.15;
  p.mixed = 0.35;
  p.mixed_max = 0.60;
  p.katakana_kanji = 0.20;
  p.katakana_kanji_max = 0.10;
  ReceiptMix& m = o->mix;
  m.shares = {0.06, 0.06, 0.04, 0.04, 0.07, 0.02, 0.02, 0.02, 0.10, 0.10,
              0.03, 0.02, 0.03, 0.20, 0.06, 0.03, 0.03, 0.02, 0.02, 0.03};
  m.kana_noise_overlay = 0.15;
  m.birth_date_noise_overlay = 0.12;
}

}  // namespace

absl::StatusOr<Profile> ParseProfile(std::string_view name) {
  if (name == "default") return Profile::kDefault;
  if (name == "heldout") return Profile::kHeldout;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown profile '", std::string(name), "': use default or heldout"));
}

std::string_view ProfileName(Profile profile) {
  return profile == Profile::kHeldout ? "heldout" : "default";
}

GenOptions ProfileOptions(Profile profile) {
  GenOptions o;
  if (profile == Profile::kHeldout) SetHeldout(&o);
  return o;
}

}  // namespace kuromaru::gen
