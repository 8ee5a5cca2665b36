#pragma once
// Joining, splitting and padding.
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla {

/// Concatenates along an existing dim (all other dims must match). The result dtype is the
/// promotion of all inputs; 1-d empty tensors (shape [0]) are skipped, as in PyTorch.
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
/// Stacks along a new dim (all shapes must match).
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
/// Pieces of size `split_size` (the last may be smaller); views of x.
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim = 0);
/// Pieces with the given sizes (must sum to x.size(dim)).
std::vector<Tensor> split(const Tensor& x, const IntList& sizes, int64_t dim = 0);
/// `chunks` nearly equal pieces (as torch.chunk).
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim = 0);
/// The slices of x along dim, that dim removed (as torch.unbind); views of x.
std::vector<Tensor> unbind(const Tensor& x, int64_t dim = 0);

/// Padding mode of pad().
enum class PadMode { Constant, Reflect, Replicate, Circular };
/// torch.nn.functional.pad: `pad` lists (left, right) pairs starting from the last dim; negative
/// values crop. Reflect needs each pad < the dim's size, circular needs pad <= size (after
/// cropping). Non-constant modes accept any rank (PyTorch requires batch dims); `value` is for
/// Constant only.
Tensor pad(const Tensor& x, const IntList& pad, PadMode mode = PadMode::Constant, double value = 0.0);

}  // namespace nabla
