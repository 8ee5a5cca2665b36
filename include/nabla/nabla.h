#pragma once
// The everyday set of nabla headers.
#include "nabla/autograd.h"
#include "nabla/dtype.h"
#include "nabla/error.h"
#include "nabla/gradcheck.h"
#include "nabla/io/serialize.h"
#include "nabla/ops.h"
#include "nabla/random.h"
#include "nabla/tensor.h"
