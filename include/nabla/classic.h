#pragma once
// nabla::classic — classic machine learning and vision. One header per method.
#include "nabla/classic/knn.h"
