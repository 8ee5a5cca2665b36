#pragma once
// The index of differentiable primitives: every op that records a node in the autograd graph,
// with its backward rule in one line (in the spirit of PyTorch's derivatives.yaml). Composite
// ops (mean, matmul, linear layers built from mm, …) record nothing of their own and inherit
// their gradients from the primitives they call.
//
// autograd::record() refuses a name that is not listed here, and the test suite gradchecks
// every entry (tests/autograd/primitives_test.cpp), so the index cannot drift from the code.
#include <string>
#include <string_view>
#include <vector>

namespace nabla::autograd {

/// One differentiable primitive.
struct Primitive {
  const char* name;             // the name the op passes to record()
  const char* gradient;         // its backward rule, in words
  bool double_differentiable;   // the rule is written with recorded ops, so create_graph works
};

/// Every primitive, sorted by name.
const std::vector<Primitive>& primitives();

/// The entry for `name` (built-in or registered), or nullptr when the op is not listed.
const Primitive* find_primitive(std::string_view name);

/// Lists a custom op of a program (an op written outside nabla that calls autograd::record), with
/// its rule in words; registering a name twice is harmless, a built-in name raises Error.
void register_primitive(const std::string& name, const std::string& gradient, bool double_differentiable = false);

}  // namespace nabla::autograd
