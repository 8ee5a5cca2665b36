#pragma once
// The registry lines of the zoo's model families: each family's source defines one function
// returning its entries (made with make_entry), listed once in zoo_families().
#include <vector>

#include "nabla/models/registry.h"

namespace nabla::models {

std::vector<ModelEntry> mobilenet_entries();
std::vector<ModelEntry> shufflenet_entries();

/// A function returning the registry entries of one model family.
using FamilyEntries = std::vector<ModelEntry> (*)();

/// Every family's entries function, one line per family.
inline std::vector<FamilyEntries> zoo_families() {
  return {
      mobilenet_entries,
      shufflenet_entries,
  };
}

}  // namespace nabla::models
