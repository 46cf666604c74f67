#include "services/reconcile/proto_conversion.h"

#include "absl/strings/str_format.h"

namespace kuromaru::reconcile {
namespace {

v1::Decision ToProto(matcher::Decision d) {
  switch (d) {
    case matcher::Decision::kAutoMatch:
      return v1::DECISION_AUTO_MATCH;
    case matcher::Decision::kReview:
      return v1::DECISION_REVIEW;
    case matcher::Decision::kNoMatch:
      return v1::DECISION_NO_MATCH;
  }
  return v1::DECISION_UNSPECIFIED;
}

std::string SexText(matcher::Sex sex) {
  switch (sex) {
    case matcher::Sex::kMale:
      return "1";
    case matcher::Sex::kFemale:
      return "2";
    default:
      return "";
  }
}

void FillEvidence(const matcher::Evidence& e, v1::Evidence* pe) {
  pe->set_field(e.field);
  pe->set_level(e.level);
  pe->set_weight(e.weight);
  pe->set_receipt_value(e.receipt_value);
  pe->set_roster_value(e.roster_value);
  if (e.source >= 0) {
    v1::EnrollmentKey* key = pe->mutable_roster_enrollment();
    key->set_insurer_number(std::string(e.source_key.insurer_number));
    key->set_symbol(std::string(e.source_key.symbol));
    key->set_number(std::string(e.source_key.number));
    key->set_branch(std::string(e.source_key.branch));
    key->set_qualified_from(DateText(e.source_key.qualified_from));
  }
}

void FillNormalized(const matcher::ReceiptMatch& m, v1::NormalizedReceipt* n) {
  const matcher::NormalizedPerson& p = m.normalized;
  n->set_name_kanji_key(p.kanji_key);
  n->set_name_kanji_loose_key(p.kanji_loose_key);
  n->set_surname_kanji(p.kanji_surname);
  if (p.kanji_key.size() > p.kanji_surname.size() && !p.kanji_surname.empty()) {
    n->set_given_name_kanji(p.kanji_key.substr(p.kanji_surname.size()));
  }
  n->set_wildcard_count(p.wildcard_count);
  n->set_name_kana_key(p.kana_key);
  n->set_name_kana_loose_key(p.kana_loose_key);
  n->set_surname_kana(p.kana_surname);
  if (p.kana_key.size() > p.kana_surname.size() && !p.kana_surname.empty()) {
    n->set_given_name_kana(p.kana_key.substr(p.kana_surname.size()));
  }
  n->set_birth_date(DateText(p.birth_date));
  if (m.service_month != 0)
    n->set_service_month(absl::StrFormat("%06d", m.service_month));
  if (m.billed_insurer) {
    n->set_insurer_number(m.billed_insurer->digits);
    n->set_insurer_sentinel(m.billed_insurer->sentinel);
    n->set_insurer_number_valid(m.billed_insurer->check_digit_valid);
    for (const std::string& r : m.billed_insurer->repairs)
      n->add_insurer_repairs(r);
  }
  n->set_member_key(p.member_key);
  n->set_sex(SexText(p.sex));
  n->set_postal_code(p.postal_code);
  n->set_address_key(p.address_key);
  n->set_municipality(p.municipality);
  n->set_prefecture(m.prefecture);
  n->set_insurer_name_key(m.insurer_name_key);
  n->set_employer_key(m.employer_key);
  for (const matcher::FieldIssue& issue : m.issues) {
    v1::FieldNote* note = n->add_notes();
    note->set_field(issue.field);
    note->set_note(issue.reason);
  }
}

}  // namespace

std::string DateText(matcher::PackedDate date) {
  return date == 0 ? std::string() : absl::StrFormat("%08d", date);
}

matcher::ReceiptText TextOf(const v1::Receipt& r) {
  return {r.receipt_id(),   r.service_month(), r.insurer_number(),
          r.symbol(),       r.number(),        r.branch(),
          r.name_kanji(),   r.name_kana(),     r.birth_date(),
          r.sex(),          r.postal_code(),   r.address(),
          r.insurer_name(), r.employer(),      r.institution_code()};
}

v1::MatchResult ToMatchResult(const std::string& receipt_id,
                              const matcher::ReceiptMatch& match,
                              const std::string& roster_version,
                              const std::string& model_version) {
  v1::MatchResult out;
  out.set_receipt_id(receipt_id);
  out.set_decision(ToProto(match.decision));
  for (const matcher::MatchedCandidate& c : match.candidates) {
    v1::Candidate* pc = out.add_candidates();
    pc->set_insurer_number(std::string(c.info.insurer_number));
    pc->set_symbol(std::string(c.info.symbol));
    pc->set_number(std::string(c.info.number));
    pc->set_branch(std::string(c.info.branch));
    pc->set_probability(c.probability);
    pc->set_match_weight(c.match_weight);
    for (const matcher::Evidence& e : c.evidence) {
      FillEvidence(e, pc->add_evidence());
    }
    pc->set_qualified_from(DateText(c.info.qualified_from));
    pc->set_qualified_until(DateText(c.info.qualified_until));
    pc->set_valid_in_service_month(c.valid_in_service_month);
    pc->set_name_kanji(std::string(c.info.name_kanji));
    pc->set_name_kana(std::string(c.info.name_kana));
    pc->set_birth_date(DateText(c.info.birth_date));
    pc->set_sex(SexText(c.info.sex));
  }
  for (const matcher::InsurerSuggestion& g : match.insurer_suggestions) {
    v1::InsurerSuggestion* pg = out.add_insurer_suggestions();
    pg->set_insurer_number(g.insurer_number);
    pg->set_name(g.name);
    pg->set_probability(g.probability);
    for (const matcher::Evidence& e : g.evidence) {
      FillEvidence(e, pg->add_evidence());
    }
  }
  FillNormalized(match, out.mutable_normalized());
  out.set_roster_version(roster_version);
  out.set_model_version(model_version);
  out.set_prior_weight(match.prior_weight);
  return out;
}

v1::MatchResult ErrorResult(const std::string& receipt_id,
                            const std::string& error) {
  v1::MatchResult out;
  out.set_receipt_id(receipt_id);
  out.set_decision(v1::DECISION_NO_MATCH);
  out.set_error(error);
  out.mutable_normalized();
  return out;
}

}  // namespace kuromaru::reconcile
