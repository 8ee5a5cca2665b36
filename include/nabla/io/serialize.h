#pragma once
// nabla::save / nabla::load: named tensors to and from a file, the format chosen by extension.
#include <map>
#include <string>

#include "nabla/tensor.h"

namespace nabla {

/// Saves named tensors. The format follows the extension (case-insensitive): ".npz" → NumPy
/// archive, ".npy" → a single array (the map must hold exactly one tensor named "" or
/// "tensor"), anything else → safetensors. `metadata` is stored only by safetensors; non-empty
/// metadata for .npz/.npy raises Error rather than being dropped. The file is replaced
/// atomically. Example: nabla::save("model.safetensors", {{"w", w}, {"b", b}}, {{"epoch", "3"}});
void save(const std::string& path, const StateDict& tensors,
          const std::map<std::string, std::string>& metadata = {});

/// Loads named tensors saved by save() (or by NumPy / safetensors tools), choosing the format by
/// extension as save() does; a .npy file gives one tensor named "tensor". Use
/// io::load_safetensors to also get the metadata.
StateDict load(const std::string& path);

namespace io {
using nabla::load;
using nabla::save;
}  // namespace io

}  // namespace nabla
