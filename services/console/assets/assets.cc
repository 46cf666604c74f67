#include "services/console/assets/assets.h"

namespace kuromaru::console {

const Asset* FindAsset(std::string_view path) {
  for (const Asset& a : Assets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

}  // namespace kuromaru::console
