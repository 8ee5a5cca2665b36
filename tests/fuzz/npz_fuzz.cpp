// libFuzzer harness for the .npz reader (ZIP parsing, inflate, CRC, the .npy members).
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "nabla/io/npz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla;
  std::map<std::string, Tensor> tensors;
  try {
    tensors = io::load_npz_bytes(data, size, "fuzz");
  } catch (const Error&) {
    return 0;
  }
  for (const auto& [name, t] : tensors) fuzz::require(!name.empty(), "npz: empty member name accepted");
  const std::vector<uint8_t> bytes = io::save_npz_bytes(tensors);
  const auto back = io::load_npz_bytes(bytes.data(), bytes.size());
  fuzz::require(back.size() == tensors.size(), "npz round trip: member count");
  for (const auto& [name, t] : tensors)
    fuzz::require(back.count(name) && fuzz::same_tensor(t, back.at(name)), "npz round trip: member");
  return 0;
}
