#include "base/memory.h"

#include <malloc.h>

// gperftools' C entry point, present when the binary links tcmalloc (the
// server does; sanitizer builds and tests keep glibc's malloc).
extern "C" void MallocExtension_ReleaseFreeMemory() __attribute__((weak));

namespace kuromaru::base {

void ReleaseFreeMemory() {
  if (MallocExtension_ReleaseFreeMemory != nullptr) {
    MallocExtension_ReleaseFreeMemory();
  } else {
    malloc_trim(0);
  }
}

}  // namespace kuromaru::base
