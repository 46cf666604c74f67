// The receipts of life events (receipts.h): the card and name a clinic
// bills after a marriage, a move, a 75th birthday, a retirement, or while
// the new enrollment is not in the roster yet; and the noise laid over any
// category.
#include <string>

#include "absl/strings/str_cat.h"
#include "services/gen/life.h"
#include "services/gen/receipts.h"
#include "services/gen/render.h"

namespace kuromaru::gen {
namespace {

// The person's last roster enrollment under name `name`, or null.
const Enrollment* LastOfName(const Person& p, int name) {
  const Enrollment* out = nullptr;
  for (const Enrollment& e : p.enrollments) {
    if (e.name == name && e.rostered) out = &e;
  }
  return out;
}

// How the spouse was enrolled at the marriage.
std::string MarriageRoute(const InsurerCatalog& insurers, const Person& p) {
  const Enrollment* before = LastOfName(p, 0);
  const Enrollment* after = nullptr;
  for (const Enrollment& e : p.enrollments) {
    if (e.name == 1) {
      after = &e;
      break;
    }
  }
  if (before == nullptr || after == nullptr) return "other";
  if (after->insurer == before->insurer) {
    return after->symbol == before->symbol && after->number == before->number
               ? "same_key"
               : "reissued_key";
  }
  const InsurerKind kind = insurers.at(after->insurer).kind;
  if (kind == InsurerKind::kKokuho) return "spouse_kokuho";
  if (IsEmployeeScheme(kind) && after->dependent) return "spouse_dependent";
  return "other";
}

std::string KindName(InsurerKind kind) {
  switch (kind) {
    case InsurerKind::kKokuho:
      return "kokuho";
    case InsurerKind::kKouki:
      return "kouki";
    default:
      return "employee";
  }
}

}  // namespace

void ReceiptMaker::ApplyLifeEvent(Category c, const Draw& d, Rng& rng,
                                  v1::Receipt* r, Truth* t) const {
  const Person& p = *d.person;
  const Enrollment& e = p.enrollments[d.enrollment];
  const Enrollment& prev = p.enrollments[d.enrollment - 1];
  const InsurerCatalog& insurers = world_.insurers();
  const Insurer& now = insurers.at(e.insurer);
  const Insurer& before = insurers.at(prev.insurer);
  switch (c) {
    case Category::kMarriage: {
      const Enrollment* old = LastOfName(p, 0);
      const bool current = old == nullptr || rng.Chance(0.6);
      if (!current) BillCard(*old, r);
      t->detail = absl::StrCat(MarriageRoute(insurers, p),
                               current ? "+current_card" : "+old_card");
      break;
    }
    case Category::kMoved:
      BillCard(prev, r);
      t->detail = absl::StrCat(KindName(now.kind),
                               now.prefecture_code == before.prefecture_code
                                   ? "+in_prefecture"
                                   : "+other_prefecture");
      break;
    case Category::kTurned75:
      BillCard(prev, r);
      t->detail = absl::StrCat(
          "from_", KindName(before.kind),
          IsEmployeeScheme(before.kind) && prev.dependent ? "_dependent" : "");
      break;
    case Category::kRetired:
      BillCard(prev, r);
      t->detail = e.insurer == prev.insurer
                      ? "voluntary"
                      : absl::StrCat("to_", KindName(now.kind),
                                     e.dependent ? "_dependent" : "");
      break;
    case Category::kHouseholdMember:
      t->detail = std::string(LifeEventName(e.event));
      if (rng.Chance(0.8)) {
        BillCard(prev, r);
        absl::StrAppend(&t->detail, "+old_card");
      } else {
        std::string ignored;
        ApplyFusho(d, rng, r, &ignored);
        absl::StrAppend(&t->detail, "+fusho");
      }
      break;
    case Category::kLateLifeEvent: {
      t->detail = std::string(LifeEventName(e.event));
      const double x = rng.Unit();
      if (x < 0.45) {  // the old card, the new address in the 摘要
        BillCard(prev, r);
        ApplyAddress(d, 0.8, 0.9, rng, r);
        absl::StrAppend(&t->detail, "+old_card");
      } else if (x < 0.85) {
        std::string ignored;
        ApplyFusho(d, rng, r, &ignored);
        absl::StrAppend(&t->detail, "+fusho");
      } else {
        absl::StrAppend(&t->detail, "+new_card");
      }
      break;
    }
    default:
      break;
  }
}

void ReceiptMaker::ApplyOverlays(Category c, const Draw& d, Rng& rng,
                                 v1::Receipt* r, Truth* t) const {
  const double kana = rng.Unit();
  const double birth = rng.Unit();
  std::string detail;
  if (c != Category::kKanaNoise && kana < mix_.kana_noise_overlay) {
    ApplyKanaNoise(d.person->names[d.name], rng, r, &detail);
    t->noise = absl::StrCat("kana:", detail);
  }
  if (c != Category::kBirthDateNoise && birth < mix_.birth_date_noise_overlay) {
    ApplyBirthNoise(*d.person, rng, r, &detail);
    absl::StrAppend(&t->noise, t->noise.empty() ? "" : "+",
                    "birth_date:", detail);
  }
}

}  // namespace kuromaru::gen
