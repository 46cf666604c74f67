#include "matcher/matcher.h"

#include <algorithm>
#include <utility>

#include "matcher/person_linkage.h"
#include "normalizer/date.h"

namespace kuromaru::matcher {

// Term frequencies and namesake counts over the roster's persons, which the
// roster computes when it is built (and keeps in its file).
class Matcher::Frequencies : public TermFrequency {
 public:
  explicit Frequencies(const Roster& roster) : roster_(roster) {}

  double KanaNameFrequency(std::string_view kana_key) const override {
    return roster_.KanaNameFrequency(kana_key);
  }
  double KanjiNameFrequency(std::string_view kanji_loose_key) const override {
    return roster_.KanjiNameFrequency(kanji_loose_key);
  }
  double KanaNameCollision() const override {
    return roster_.KanaNameCollision();
  }
  double KanjiNameCollision() const override {
    return roster_.KanjiNameCollision();
  }

  // Other persons with the same kana key and birth date as `person`.
  int Namesakes(PersonId person) const { return roster_.Namesakes(person); }

 private:
  const Roster& roster_;
};

absl::StatusOr<std::unique_ptr<Matcher>> Matcher::Create(
    std::shared_ptr<const RosterIndex> index, Model model,
    const MatcherOptions& options,
    std::shared_ptr<const InsurerDirectory> directory) {
  if (index == nullptr) return absl::InvalidArgumentError("no roster index");
  if (options.max_returned < 1) {
    return absl::InvalidArgumentError("max_returned must be at least 1");
  }
  if (options.routing.max_suggestions < 1) {
    return absl::InvalidArgumentError(
        "routing.max_suggestions must be at least 1");
  }
  std::unique_ptr<Matcher> matcher(new Matcher(std::move(index), options));
  matcher->directory_ = std::move(directory);
  matcher->frequencies_ =
      std::make_unique<const Frequencies>(matcher->roster());
  auto scorer = Scorer::Create(std::move(model), matcher->frequencies_.get(),
                               options.decision);
  if (!scorer.ok()) return scorer.status();
  matcher->scorer_ = *std::move(scorer);
  return matcher;
}

Matcher::Matcher(std::shared_ptr<const RosterIndex> index,
                 const MatcherOptions& options)
    : index_(std::move(index)), options_(options) {}

Matcher::~Matcher() = default;

int Matcher::Namesakes(PersonId person) const {
  return frequencies_->Namesakes(person);
}

namespace {

PackedMonth ParseServiceMonth(std::string_view text,
                              std::vector<FieldIssue>* issues) {
  if (text.empty()) return 0;
  auto month = normalizer::ParseMonth(text);
  if (!month.ok()) {
    issues->push_back({"service_month", std::string(month.status().message())});
    return 0;
  }
  return static_cast<PackedMonth>(month->year * 100 + month->month);
}

// What the scorer needs to know of the candidate's person besides its fields.
struct PersonHistory {
  bool other_valid = false;
  size_t insurers_begin = 0, insurers_end = 0;  // into a shared list
  size_t others_begin = 0, others_end = 0;      // likewise
};

// The person's other enrollments (and those of `merged`, persons the receipt
// showed to be the same one) go to `others` (their ids, in the same order, to
// `other_ids`) and the insurers of those that ended before the month to
// `insurers`.
PersonHistory History(const Roster& roster, EnrollmentId enrollment,
                      std::span<const PersonId> merged, PackedMonth month,
                      std::vector<std::string_view>* insurers,
                      std::vector<OtherEnrollment>* others,
                      std::vector<EnrollmentId>* other_ids) {
  PersonHistory h;
  h.insurers_begin = insurers->size();
  h.others_begin = others->size();
  const PackedDate first_day = month * 100 + 1;
  auto add = [&](EnrollmentId e) {
    if (e == enrollment) return;
    if (month != 0 && roster.CoversMonth(e, month)) h.other_valid = true;
    const PackedDate until = roster.record(e).qualified_until;
    const bool ended = until != 0 && (month == 0 || until <= first_day);
    const PersonView view = roster.View(e);
    if (ended) insurers->push_back(view.insurer_number);
    others->push_back({view, ended});
    other_ids->push_back(e);
  };
  for (EnrollmentId e : roster.Enrollments(roster.PersonOf(enrollment))) add(e);
  for (PersonId p : merged) {
    for (EnrollmentId e : roster.Enrollments(p)) add(e);
  }
  h.insurers_end = insurers->size();
  h.others_end = others->size();
  return h;
}

// Link evidence (person_linkage.h) that a candidate whose enrollments all
// ended before the month continues as another candidate. Below the roster's
// own threshold: the receipt adds that its person is insured in the month,
// so the ended chain must go on somewhere, and the candidates are where.
constexpr int kQueryLinkThreshold = 8;

LinkSide SideOf(const Roster& roster, EnrollmentId id) {
  const EnrollmentRecord& r = roster.record(id);
  return {roster.View(id), r.qualified_from, r.qualified_until};
}

// Merges into a valid candidate each candidate that ended before the month
// and that it plausibly continues (the strongest such link wins). Returns,
// per remaining candidate, the persons merged into it.
std::vector<std::vector<PersonId>> MergeSuccessors(
    const Roster& roster, PackedMonth month,
    std::vector<Candidate>* candidates) {
  std::vector<std::vector<PersonId>> merged(candidates->size());
  if (month == 0) return merged;
  const PackedDate first_day = month * 100 + 1;
  std::vector<bool> gone(candidates->size(), false);
  for (size_t i = 0; i < candidates->size(); ++i) {
    const Candidate& x = (*candidates)[i];
    if (x.valid_in_month) continue;
    const EnrollmentId last = roster.Enrollments(x.person).back();
    const EnrollmentRecord& l = roster.record(last);
    if (l.qualified_until == 0 || l.qualified_until > first_day) continue;
    const LinkSide ended = SideOf(roster, last);
    int best_score = kQueryLinkThreshold - 1;
    size_t best = candidates->size();
    for (size_t j = 0; j < candidates->size(); ++j) {
      const Candidate& y = (*candidates)[j];
      if (j == i || gone[j] || !y.valid_in_month) continue;
      // The first of y's enrollments that begins after the ended one began.
      for (EnrollmentId e : roster.Enrollments(y.person)) {
        if (roster.record(e).qualified_from <= l.qualified_from) continue;
        const int score = LinkScore(ended, SideOf(roster, e));
        if (score > best_score) {
          best_score = score;
          best = j;
        }
        break;
      }
    }
    if (best == candidates->size()) continue;
    merged[best].push_back(x.person);
    gone[i] = true;
  }
  size_t kept = 0;
  for (size_t i = 0; i < candidates->size(); ++i) {
    if (gone[i]) continue;
    (*candidates)[kept] = (*candidates)[i];
    merged[kept] = std::move(merged[i]);
    ++kept;
  }
  candidates->resize(kept);
  merged.resize(kept);
  return merged;
}

}  // namespace

// What ScoreAll leaves for Match: the candidates, their inputs (which hold
// views into `insurers` and `others`) and the scorer's outcome.
struct Matcher::Scored {
  std::vector<Candidate> candidates;
  std::vector<std::string_view> insurers;
  std::vector<OtherEnrollment> others;
  std::vector<EnrollmentId> other_ids;  // parallel to `others`
  std::vector<size_t> others_begin;     // by candidate
  std::vector<CandidateInput> inputs;
  ReceiptInput receipt;
  MatchOutcome outcome;
};

Matcher::Scored Matcher::ScoreAll(const ReceiptText& text,
                                  ReceiptMatch* out) const {
  const RawPerson raw{text.name_kanji, text.name_kana,      text.birth_date,
                      text.sex,        text.insurer_number, text.symbol,
                      text.number,     text.branch,         text.postal_code,
                      text.address};
  out->normalized = NormalizePerson(raw, &out->issues, &out->billed_insurer);
  out->service_month = ParseServiceMonth(text.service_month, &out->issues);
  out->prior_weight = model().prior_weight();

  Scored scored;
  const PersonView receipt_view = out->normalized.View();
  scored.candidates =
      index_->Candidates(receipt_view, out->service_month, options_.candidates,
                         out->billed_insurer ? &*out->billed_insurer : nullptr);
  out->candidates_considered = static_cast<int>(scored.candidates.size());

  const Roster& r = roster();
  const std::vector<std::vector<PersonId>> merged =
      MergeSuccessors(r, out->service_month, &scored.candidates);
  std::vector<PersonHistory> histories;
  histories.reserve(scored.candidates.size());
  for (size_t i = 0; i < scored.candidates.size(); ++i) {
    histories.push_back(History(r, scored.candidates[i].enrollment, merged[i],
                                out->service_month, &scored.insurers,
                                &scored.others, &scored.other_ids));
    scored.others_begin.push_back(histories.back().others_begin);
  }
  scored.inputs.reserve(scored.candidates.size());
  for (size_t i = 0; i < scored.candidates.size(); ++i) {
    const Candidate& c = scored.candidates[i];
    const EnrollmentRecord& record = r.record(c.enrollment);
    CandidateInput in;
    in.person_id = c.person.value();
    in.person = r.View(c.enrollment);
    in.enrollment.qualified_from = record.qualified_from;
    in.enrollment.qualified_until = record.qualified_until;
    in.enrollment.valid_in_service_month = c.valid_in_month;
    in.enrollment.person_has_other_valid = histories[i].other_valid;
    in.enrollment.other_insurers =
        std::span<const std::string_view>(scored.insurers)
            .subspan(histories[i].insurers_begin,
                     histories[i].insurers_end - histories[i].insurers_begin);
    in.enrollment.others =
        std::span<const OtherEnrollment>(scored.others)
            .subspan(histories[i].others_begin,
                     histories[i].others_end - histories[i].others_begin);
    in.enrollment.kana_birth_date_namesakes = Namesakes(c.person);
    scored.inputs.push_back(in);
  }
  scored.receipt.person = receipt_view;
  scored.receipt.billed_insurer =
      out->billed_insurer ? &*out->billed_insurer : nullptr;
  scored.receipt.service_month = out->service_month;
  scored.outcome =
      scorer_->Match(scored.receipt, scored.inputs, options_.max_returned);
  return scored;
}

ReceiptMatch Matcher::Match(const ReceiptText& text) const {
  ReceiptMatch out;
  Scored scored = ScoreAll(text, &out);
  MatchOutcome& outcome = scored.outcome;
  out.decision = outcome.decision;
  out.reason = std::move(outcome.reason);
  const Roster& r = roster();
  const size_t n = std::min(outcome.candidates.size(),
                            static_cast<size_t>(options_.max_returned));
  out.candidates.reserve(n);
  for (size_t k = 0; k < n; ++k) {
    ScoredCandidate& s = outcome.candidates[k];
    const Candidate& c = scored.candidates[s.input_index];
    MatchedCandidate m;
    m.enrollment = c.enrollment;
    m.info = r.Info(c.enrollment);
    m.valid_in_service_month = c.valid_in_month;
    m.probability = s.probability;
    m.match_weight = s.match_weight;
    m.evidence = std::move(s.evidence);
    for (Evidence& e : m.evidence) {
      if (e.source < 0) continue;
      const EnrollmentInfo from = r.Info(
          scored.other_ids[scored.others_begin[s.input_index] + e.source]);
      e.source_key = {from.insurer_number, from.symbol, from.number,
                      from.branch, from.qualified_from};
    }
    out.candidates.push_back(std::move(m));
  }
  Route(text, &out);
  return out;
}

bool Matcher::FindEndedPerson(const ReceiptMatch& match, EndedPerson* ended,
                              std::vector<std::string_view>* household) const {
  if (match.candidates.empty() || match.service_month == 0) return false;
  const MatchedCandidate& best = match.candidates.front();
  if (best.valid_in_service_month) return false;
  const Roster& r = roster();
  const std::span<const EnrollmentId> list =
      r.Enrollments(r.PersonOf(best.enrollment));
  const EnrollmentId last = list.back();
  const EnrollmentRecord& record = r.record(last);
  const PackedDate first_day = match.service_month * 100 + 1;
  if (record.qualified_until == 0 || record.qualified_until > first_day) {
    return false;  // a later enrollment exists: not a person who left
  }
  const PersonView v = r.View(last);
  ended->probability = best.probability;
  ended->insurer_number = v.insurer_number;
  ended->ended = record.qualified_until;
  ended->birth_date = record.birth_date;
  ended->municipality = v.municipality;
  ended->address_key = v.address_key;
  const NormalizedPerson& billed = match.normalized;
  if (billed.member_number.empty() ||
      (match.billed_insurer && match.billed_insurer->sentinel)) {
    ended->card = EndedPerson::Card::kUnknown;
  } else if (WithoutBranch(billed.member_key) == WithoutBranch(v.member_key) ||
             billed.member_number == v.member_number) {
    ended->card = EndedPerson::Card::kStale;
  } else {
    ended->card = EndedPerson::Card::kNewCard;
  }
  // Members of the household who left the same insurer within days of the
  // person, and the insurer each of them went to.
  constexpr int kDays = 7;
  const int64_t left = DayNumber(record.qualified_until);
  for (EnrollmentId member : index_->Household(last)) {
    const EnrollmentRecord& m = r.record(member);
    if (m.person == record.person || m.qualified_until == 0 ||
        std::abs(DayNumber(m.qualified_until) - left) > kDays) {
      continue;
    }
    const EnrollmentId next = r.Next(member);
    if (next == kNoEnrollment ||
        std::abs(DayNumber(r.record(next).qualified_from) - left) > kDays) {
      continue;
    }
    const std::string_view insurer = r.View(next).insurer_number;
    if (std::find(household->begin(), household->end(), insurer) ==
        household->end()) {
      household->push_back(insurer);
    }
  }
  ended->household_insurers = *household;
  return true;
}

void Matcher::Route(const ReceiptText& text, ReceiptMatch* out) const {
  std::vector<PersonInsurer> persons;
  persons.reserve(out->candidates.size());
  for (const MatchedCandidate& c : out->candidates) {
    persons.push_back(
        {c.info.insurer_number, c.probability, c.valid_in_service_month});
  }
  RoutingInput in;
  in.billed = out->billed_insurer ? &*out->billed_insurer : nullptr;
  in.insurer_name = text.insurer_name;
  in.employer = text.employer;
  in.institution_code = text.institution_code;
  in.address_key = out->normalized.address_key;
  in.municipality = out->normalized.municipality;
  in.birth_date = out->normalized.birth_date;
  in.service_month = out->service_month;
  in.persons = persons;
  EndedPerson ended;
  std::vector<std::string_view> household;
  if (FindEndedPerson(*out, &ended, &household)) in.ended = &ended;
  Routing routing = RouteInsurer(directory_.get(), in, options_.routing);
  out->insurer_suggestions = std::move(routing.suggestions);
  out->person_routing = routing.person;
  out->insurer_name_key = std::move(routing.insurer_name_key);
  out->employer_key = std::move(routing.employer_key);
  out->prefecture = std::move(routing.prefecture);
}

void Matcher::AppendComparisonVectors(
    const ReceiptText& text, std::vector<ComparisonVector>* out) const {
  ReceiptMatch scratch;
  const Scored scored = ScoreAll(text, &scratch);
  for (const ScoredCandidate& c : scored.outcome.candidates)
    out->push_back(c.levels);
}

}  // namespace kuromaru::matcher
