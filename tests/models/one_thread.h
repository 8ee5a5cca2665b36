#pragma once
// Pins OpenMP to one thread for a scope. The sequence models of the tests are small: a step is a
// few small GEMMs, and one thread runs it several times faster than a team, whose start-up and
// waiting dominate (and balloon on a loaded machine; docs/sequence-models.md).
#include <omp.h>

struct OneThread {
  OneThread() : saved(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~OneThread() { omp_set_num_threads(saved); }
  OneThread(const OneThread&) = delete;
  OneThread& operator=(const OneThread&) = delete;
  int saved;
};
