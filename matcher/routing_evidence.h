// The evidence behind an insurer suggestion (insurer_routing.h), one kind
// per function: the billed number, the insurer's name and the employer on the
// receipt, the region of the address or the clinic, the age, and the life
// events of a person whose enrollments all ended. Internal to the router,
// shared by insurer_routing.cc (gathering and ranking) and
// routing_evidence.cc (the evidence). Thread-safe: pure functions.
#ifndef KUROMARU_MATCHER_ROUTING_EVIDENCE_H_
#define KUROMARU_MATCHER_ROUTING_EVIDENCE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "matcher/insurer_directory.h"
#include "matcher/insurer_routing.h"
#include "normalizer/insurer_name.h"

namespace kuromaru::matcher::routing {

// The receipt's routing signals, folded once.
struct Signals {
  const normalizer::InsurerNumber* billed = nullptr;  // not a sentinel
  std::vector<std::string> listed_repairs;  // repairs worth suggesting
  std::optional<normalizer::FoldedInsurerName> name;
  std::string employer;
  std::string prefecture;         // of the address
  std::string clinic_prefecture;  // of the 医療機関コード
  std::string_view municipality;
  int age = -1;
  // The person whose enrollments all ended, when its candidate is probable
  // enough to act on; its age when it left.
  const EndedPerson* ended = nullptr;
  int age_at_end = -1;
  // Where the address came from: false when it is the ended person's last
  // known one (the receipt gave none).
  bool address_from_receipt = true;
  // The prefecture for regional evidence: the address's, else the clinic's.
  const std::string& region() const {
    return prefecture.empty() ? clinic_prefecture : prefecture;
  }
};

// One insurer being scored.
struct Scored {
  std::string number;
  const DirectoryEntry* entry = nullptr;
  normalizer::InsurerScheme scheme = normalizer::InsurerScheme::kUnknown;
  std::string prefecture;
  std::vector<Evidence> evidence;
  double base = 0;  // without the person evidence
  double with_person = 0;
};

// The receipt's signals, folded once.
Signals ReadSignals(const InsurerDirectory* directory, const RoutingInput& in);

// Each adds its evidence (and weight) to `c`.
void BilledEvidence(const Signals& s, Scored* c);
void NameEvidence(const InsurerDirectory* directory, const Signals& s,
                  Scored* c);
void EmployerEvidence(const InsurerDirectory* directory, const Signals& s,
                      Scored* c);
void RegionEvidence(const Signals& s, Scored* c);
void AgeEvidence(const Signals& s, Scored* c);
void LifeEventEvidence(const Signals& s, Scored* c);

}  // namespace kuromaru::matcher::routing

#endif  // KUROMARU_MATCHER_ROUTING_EVIDENCE_H_
