#include "matcher/roster_search.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "matcher/name_relation.h"
#include "matcher/normalize_person.h"

namespace kuromaru::matcher {
namespace {

bool Blank(std::string_view s) {
  return s.find_first_not_of(" \t\u3000") == std::string_view::npos;
}

// Whether one enrollment agrees with every field the query gave.
bool Agrees(const PersonView& q, const PersonView& e, bool kana, bool kanji,
            bool number) {
  if (kana) {
    // A kana-only query also finds a row that kept kana in its kanji column.
    if (KanaRelation(q, e) != NameRelation::kSame) return false;
  }
  if (kanji) {
    const NameRelation r = KanjiRelation(q, e);
    if (r != NameRelation::kSame && r != NameRelation::kWildcard) return false;
  }
  if (q.birth_date != 0 && q.birth_date != e.birth_date) return false;
  if (number && q.member_number != e.member_number) return false;
  if (!q.insurer_number.empty() && q.insurer_number != e.insurer_number) {
    return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<RosterSearch> SearchRoster(const RosterIndex& index,
                                          const RosterQuery& q) {
  if (q.limit < 1 || q.limit > 100) {
    return absl::InvalidArgumentError("limit: 1..100");
  }
  const bool kana = !Blank(q.name_kana);
  const bool kanji = !Blank(q.name_kanji);
  const bool number = !Blank(q.number);
  if (!kana && !kanji && !number) {
    return absl::InvalidArgumentError(
        "name_kana: a name (kana or kanji) or a 番号 is needed");
  }
  std::vector<FieldIssue> issues;
  std::optional<normalizer::InsurerNumber> insurer;
  const NormalizedPerson person =
      NormalizePerson({.name_kanji = q.name_kanji,
                       .name_kana = q.name_kana,
                       .birth_date = q.birth_date,
                       .insurer_number = q.insurer_number,
                       .number = q.number},
                      &issues, &insurer);
  if (!issues.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(issues[0].field, ": ", issues[0].reason));
  }
  const PersonView view = person.View();
  CandidateOptions options;
  options.max_total = 1000;
  const std::vector<Candidate> candidates = index.Candidates(
      view, q.service_month, options, insurer ? &*insurer : nullptr);
  const Roster& roster = index.roster();
  struct Found {
    PersonId person;
    bool valid;
  };
  std::vector<Found> found;
  for (const Candidate& c : candidates) {
    const std::span<const EnrollmentId> chain = roster.Enrollments(c.person);
    const bool agrees = std::any_of(chain.begin(), chain.end(), [&](auto e) {
      return Agrees(view, roster.View(e), kana, kanji, number);
    });
    if (agrees) found.push_back({c.person, c.valid_in_month});
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Found& a, const Found& b) {
                     return a.valid != b.valid ? a.valid : a.person < b.person;
                   });
  RosterSearch out;
  out.truncated = found.size() > static_cast<size_t>(q.limit);
  if (out.truncated) found.resize(q.limit);
  for (const Found& f : found) {
    for (EnrollmentId e : roster.Enrollments(f.person)) {
      out.enrollments.push_back(e);
    }
  }
  return out;
}

}  // namespace kuromaru::matcher
