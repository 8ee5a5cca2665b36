// libFuzzer harness for the safetensors reader (length field, JSON header, offset validation).
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "nabla/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla;
  io::SafetensorsFile file;
  try {
    file = io::load_safetensors_bytes(data, size, "fuzz");
  } catch (const Error&) {
    return 0;
  }
  // A parsed file re-encodes (names and metadata came from valid JSON, so they are valid UTF-8)
  // and reads back identically.
  const std::vector<uint8_t> bytes = io::save_safetensors_bytes(file.tensors, file.metadata);
  const io::SafetensorsFile back = io::load_safetensors_bytes(bytes.data(), bytes.size());
  fuzz::require(back.metadata == file.metadata, "safetensors round trip: metadata");
  fuzz::require(back.tensors.size() == file.tensors.size(), "safetensors round trip: tensor count");
  for (const auto& [name, t] : file.tensors)
    fuzz::require(back.tensors.count(name) && fuzz::same_tensor(t, back.tensors.at(name)),
                  "safetensors round trip: tensor");
  return 0;
}
