#pragma once
// The registry lines of the zoo's model families: each family's source defines one function
// returning its entries (made with make_entry), listed once in zoo_families().
#include <vector>

#include "nabla/models/registry.h"

namespace nabla::models {

/// The ResNet family (src/models/resnet.cpp).
std::vector<ModelEntry> resnet_entries();
/// The CIFAR ResNets and Wide ResNet (src/models/cifar_resnet.cpp).
std::vector<ModelEntry> cifar_resnet_entries();

std::vector<ModelEntry> densenet_entries();
std::vector<ModelEntry> googlenet_entries();
std::vector<ModelEntry> squeezenet_entries();

std::vector<ModelEntry> mobilenet_entries();
std::vector<ModelEntry> shufflenet_entries();

/// A function returning the registry entries of one model family.
using FamilyEntries = std::vector<ModelEntry> (*)();

std::vector<ModelEntry> vit_entries();  // nabla/models/vit.h

/// Every family's entries function, one line per family.
inline std::vector<FamilyEntries> zoo_families() {
  return {
      vit_entries,

      resnet_entries,
      cifar_resnet_entries,

      densenet_entries,
      googlenet_entries,
      squeezenet_entries,

      mobilenet_entries,
      shufflenet_entries,
  };
}

}  // namespace nabla::models
