#pragma once
// nabla::nn — modules, layers, losses, initialisation.
#include "nabla/nn/activation.h"
#include "nabla/nn/conv.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/embedding.h"
#include "nabla/nn/init.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/module.h"
#include "nabla/nn/norm.h"
