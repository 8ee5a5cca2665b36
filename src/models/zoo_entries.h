#pragma once
// The registry lines of the zoo's model families: each family's source defines one function
// returning its entries (made with make_entry), listed once in zoo_families().
#include <vector>

#include "nabla/models/registry.h"

namespace nabla::models {

/// A function returning the registry entries of one model family.
using FamilyEntries = std::vector<ModelEntry> (*)();

std::vector<ModelEntry> alexnet_entries();       // AlexNet, ZFNet (src/models/alexnet.cpp)
std::vector<ModelEntry> cifar_resnet_entries();  // CIFAR ResNets, Wide ResNet (cifar_resnet.cpp)
std::vector<ModelEntry> densenet_entries();      // DenseNet, DenseNet-BC (densenet.cpp)
std::vector<ModelEntry> googlenet_entries();     // GoogLeNet (googlenet.cpp)
std::vector<ModelEntry> mobilenet_entries();     // MobileNet v1/v2/v3 (mobilenet.cpp)
std::vector<ModelEntry> resnet_entries();        // ResNet, Wide ResNet-50-2, ResNeXt (resnet.cpp)
std::vector<ModelEntry> shufflenet_entries();    // ShuffleNet v2 (shufflenet.cpp)
std::vector<ModelEntry> squeezenet_entries();    // SqueezeNet (squeezenet.cpp)
std::vector<ModelEntry> vgg_entries();           // VGG (vgg.cpp)
std::vector<ModelEntry> vit_entries();           // Vision Transformer (vit.cpp)

/// Every family's entries function, one line per family.
inline std::vector<FamilyEntries> zoo_families() {
  return {alexnet_entries,    cifar_resnet_entries, densenet_entries, googlenet_entries, mobilenet_entries,
          resnet_entries,     shufflenet_entries,   squeezenet_entries, vgg_entries,     vit_entries};
}

}  // namespace nabla::models
