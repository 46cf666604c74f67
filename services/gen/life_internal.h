// The builder behind BuildLives (life.h), shared by life.cc (the household's
// segments) and members.cc (each member's enrollments). Internal to the
// generator; one builder per household, not thread-safe.
#ifndef KUROMARU_SERVICES_GEN_LIFE_INTERNAL_H_
#define KUROMARU_SERVICES_GEN_LIFE_INTERNAL_H_

#include <string>
#include <vector>

#include "services/gen/life.h"

namespace kuromaru::gen {

// A period of one insurance under one member key, before it is cut into the
// enrollments of the persons it covers.
struct Segment {
  Date from;
  Date until;  // year 0: open
  int insurer = -1;
  std::string symbol;
  std::string number;
  Company employer;
  LifeEvent event = LifeEvent::kNone;
  bool late = false;          // the roster does not hold it yet
  bool member_split = false;  // a member may be registered apart
  std::string branch;         // a person's own insurance: its 枝番
  bool dependent = false;     // … held as a dependent (of parents)
};

// Member-key slots: 0–11 the head's segments, 12–15 the dependents' 国保
// after the insured's 75th birthday, then four for each member's own.
inline constexpr int kHouseholdSlots = 16;
inline constexpr int kOwnSlotsPerMember = 4;
inline constexpr int kMaxOwnMember = 7;

class LifeBuilder {
 public:
  LifeBuilder(const World& world, Rng& rng, Household& h);
  void Build();

 private:
  // Where a person's coverage comes from over [lo, hi).
  struct Piece {
    std::vector<Segment> segments;
    Date lo;                             // year 0: from birth
    Date hi;                             // year 0: open
    LifeEvent event = LifeEvent::kNone;  // what began it (not the first)
    int name = 0;
    int address = -1;       // a former home; -1: the home at the time
    bool household = true;  // 枝番 by member, else the segment's own
  };

  // life.cc: the household.
  const AddressEntry& Entry(int address) const;
  int KokuhoAt(const Date& d) const;
  void DrawMoves();
  int EmployeeInsurer(const AddressEntry& home);
  int HeadInsurer(const Date& from);
  void SetKey(Segment& s, int slot);
  Segment NewSegment(int insurer, const Date& from, LifeEvent event, int slot);
  std::vector<Date> HeadStarts();
  std::vector<Segment> HeadSegments();
  void Retire(const Date& birth, std::vector<Segment>* segments, int* slot);
  void SplitAtMoves(std::vector<Segment>* segments, int* slot);
  void Junction(Date* end, Date* start, bool overlap_allowed);
  void AddGaps(std::vector<Segment>* segments);
  std::vector<Segment> DependentSegments(const std::vector<Segment>& head);
  double LateChance(const Date& from) const;
  void DecideLateEvents(std::vector<Segment>* segments);

  // members.cc: the persons.
  std::vector<Piece> PiecesOf(const Person& p, int member);
  void AddMarriage(const Person& p, int member, std::vector<Piece>* pieces);
  Piece HouseholdPiece(int member, const Date& lo, LifeEvent event, int name);
  Piece OwnPiece(const Person& p, const Date& from, LifeEvent event,
                 const Date& limit, const AddressEntry& home,
                 const Segment* first, Date* end);
  int OwnSlot();
  void Enroll(Person& p, int member, std::vector<Piece> pieces);
  void AddKouki(Person& p, int member);
  void MarkLate(Person& p) const;

  const World& world_;
  const InsurerCatalog& insurers_;
  const WorldOptions& o_;
  Rng& rng_;
  Household& h_;
  int next_slot_ = 0;
  int own_slot_ = 0;
  int own_slot_end_ = 0;
  std::vector<Segment> head_;
  std::vector<Segment> dependents_;
};

}  // namespace kuromaru::gen

#endif  // KUROMARU_SERVICES_GEN_LIFE_INTERNAL_H_
