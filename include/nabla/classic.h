#pragma once
// Classic machine-learning baselines (nabla::classic).
#include "nabla/classic/decomposition.h"
#include "nabla/classic/features.h"
#include "nabla/classic/kmeans.h"
#include "nabla/classic/linear_classifier.h"
#include "nabla/classic/tsne.h"
