#pragma once
// nabla::data — datasets, samplers, the DataLoader, file readers and transforms.
#include "nabla/data/bpe.h"
#include "nabla/data/dataloader.h"
#include "nabla/data/dataset.h"
#include "nabla/data/kfold.h"
#include "nabla/data/metrics.h"
#include "nabla/data/readers.h"
#include "nabla/data/sampler.h"
#include "nabla/data/text.h"
#include "nabla/data/text_features.h"
#include "nabla/data/tokenizer.h"
#include "nabla/data/vocab.h"
#include "nabla/data/transforms.h"
