// TensorDatasets from .npy and .npz files.
#include "nabla/data/readers.h"
#include "nabla/error.h"
#include "nabla/io/npy.h"
#include "nabla/io/npz.h"

namespace nabla::data {
namespace {

// Integer targets are class labels, which the losses take as int64 (the readers keep the stored
// dtype, e.g. uint8 or int32 labels written by NumPy).
Tensor as_targets(const Tensor& t) { return t.defined() && is_integral(t.dtype()) ? t.to(DType::Int64) : t; }

}  // namespace

std::shared_ptr<TensorDataset> npy_dataset(const std::string& inputs_path, const std::string& targets_path) {
  Tensor inputs = io::load_npy(inputs_path);
  Tensor targets = targets_path.empty() ? Tensor() : io::load_npy(targets_path);
  return std::make_shared<TensorDataset>(inputs, as_targets(targets));
}

std::shared_ptr<TensorDataset> npz_dataset(const std::string& path, const std::string& input_key,
                                           const std::string& target_key) {
  StateDict arrays = io::load_npz(path);
  std::vector<std::string> keys;
  for (const auto& kv : arrays) keys.push_back(kv.first);
  auto find = [&](const std::string& key) {
    auto it = arrays.find(key);
    NABLA_CHECK(it != arrays.end(), "npz_dataset: ", path, ": no array named '", key, "' (arrays: ", keys, ")");
    return it->second;
  };
  return std::make_shared<TensorDataset>(find(input_key), target_key.empty() ? Tensor() : as_targets(find(target_key)));
}

}  // namespace nabla::data
