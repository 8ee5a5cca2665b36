#pragma once
// nabla::classic — classic machine learning and vision baselines. One header per method.
#include "nabla/classic/cooccurrence.h"
#include "nabla/classic/decomposition.h"
#include "nabla/classic/features.h"
#include "nabla/classic/keyed_vectors.h"
#include "nabla/classic/kmeans.h"
#include "nabla/classic/knn.h"
#include "nabla/classic/linear_classifier.h"
#include "nabla/classic/tsne.h"
#include "nabla/classic/word2vec.h"
