#pragma once
// nabla::nn — modules, layers, losses, initialisation.
#include "nabla/nn/module.h"
