#pragma once
// All tensor ops.
#include "nabla/ops/backend.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/index.h"
#include "nabla/ops/linalg.h"
#include "nabla/ops/reduce.h"
#include "nabla/ops/shape.h"
