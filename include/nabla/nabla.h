#pragma once
// The everyday set of nabla headers, like torch/torch.h: tensors, ops, autograd, random numbers,
// tensor files, layers and losses (nn), optimizers and schedules (optim), datasets and the
// DataLoader (data), and checkpoints. Classic baselines (nabla/classic.h) and plots
// (nabla/viz.h) are included separately.
#include "nabla/autograd.h"
#include "nabla/autograd/primitives.h"
#include "nabla/checkpoint.h"
#include "nabla/data.h"
#include "nabla/dtype.h"
#include "nabla/error.h"
#include "nabla/gradcheck.h"
#include "nabla/io/serialize.h"
#include "nabla/nn.h"
#include "nabla/ops.h"
#include "nabla/optim.h"
#include "nabla/random.h"
#include "nabla/tensor.h"
