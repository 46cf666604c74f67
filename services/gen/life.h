// The enrollment histories of one household (world.h describes what they
// contain): the head's insurance segments, the moves, each member's own
// insurers, marriages, 75th birthdays, and which enrollments the roster does
// not hold yet. Internal to the generator; thread-compatible.
#ifndef KUROMARU_SERVICES_GEN_LIFE_H_
#define KUROMARU_SERVICES_GEN_LIFE_H_

#include <string>

#include "services/gen/random.h"
#include "services/gen/world.h"

namespace kuromaru::gen {

// Year 0: an enrollment still current.
inline bool IsOpen(const Date& d) { return d.year == 0; }

// Completed years of age on `day`.
int AgeAt(const Date& birth, const Date& day);

bool IsEmployeeScheme(InsurerKind kind);

// A day in [lo, hi] (hi raised to lo if earlier); 40% of the time the first
// of its month when that is not before lo.
Date RandomDate(Rng& rng, const Date& lo, const Date& hi);

// The block part of an address: 2-14-3.
std::string RandomBlocks(Rng& rng);

// Draws the household's moves and every member's enrollments from `rng`.
// Requires h.addresses[0] and h.members set.
void BuildLives(const World& world, Rng& rng, Household& h);

}  // namespace kuromaru::gen

#endif  // KUROMARU_SERVICES_GEN_LIFE_H_
