#pragma once
// nabla::optim — optimizers and learning-rate schedulers (gradient clipping: nabla/nn/clip.h).
#include "nabla/optim/adadelta.h"
#include "nabla/optim/adagrad.h"
#include "nabla/optim/adam.h"
#include "nabla/optim/lbfgs.h"
#include "nabla/optim/lr_scheduler.h"
#include "nabla/optim/optimizer.h"
#include "nabla/optim/rmsprop.h"
#include "nabla/optim/sgd.h"
