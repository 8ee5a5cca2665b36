// libFuzzer harness for the PyTorch checkpoint reader: the zip and legacy layouts and the
// restricted unpickler (the legacy seeds are five pickles in a row, which mutations reach
// directly; zip members are guarded by their CRC-32).
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "nabla/io/pytorch.h"
#include "nabla/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla;
  for (const char* key : {"", "model"}) {
    StateDict sd;
    try {
      sd = io::load_pytorch_bytes(data, size, "fuzz", key);
    } catch (const Error&) {
      continue;
    }
    // Every tensor is contiguous and survives a safetensors round trip unchanged.
    for (const auto& [name, t] : sd) fuzz::require(t.is_contiguous(), "pytorch: tensor not contiguous");
    std::vector<uint8_t> bytes;
    try {
      bytes = io::save_safetensors_bytes(sd);
    } catch (const Error&) {
      continue;  // names from a pickle need not be valid UTF-8, which safetensors demands
    }
    const io::SafetensorsFile back = io::load_safetensors_bytes(bytes.data(), bytes.size());
    fuzz::require(back.tensors.size() == sd.size(), "pytorch round trip: tensor count");
    for (const auto& [name, t] : sd)
      fuzz::require(back.tensors.count(name) && fuzz::same_tensor(t, back.tensors.at(name)),
                    "pytorch round trip: tensor");
  }
  return 0;
}
