// The process's memory, as the operator sees it.
#ifndef KUROMARU_BASE_MEMORY_H_
#define KUROMARU_BASE_MEMORY_H_

namespace kuromaru::base {

// Returns the allocator's free pages to the system. A roster load frees more
// than the index keeps (the file's text, rows being built, the replaced
// roster); tcmalloc would hold those pages for reuse, and the process would
// stay at its load peak.
void ReleaseFreeMemory();

}  // namespace kuromaru::base

#endif  // KUROMARU_BASE_MEMORY_H_
