#include "kernels/cpu/cat.h"

#include <algorithm>
#include <cstring>

#include "kernels/cpu/loops.h"

namespace nabla::cpu {

void cat_rows(char* out, int64_t outer, const std::vector<const char*>& pieces, const std::vector<int64_t>& piece_bytes) {
  const int64_t np = static_cast<int64_t>(pieces.size());
  std::vector<int64_t> column(np + 1, 0);
  for (int64_t p = 0; p < np; ++p) column[p + 1] = column[p] + piece_bytes[p];
  const int64_t row_bytes = column[np];
  if (outer == 0 || row_bytes == 0) return;
  // Grain in tasks: aim for ≥ ~256 KiB of copying per thread before going parallel.
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 18) / std::max<int64_t>(1, row_bytes / np));
  parallel_for(outer * np, grain, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t row = t / np, p = t % np;
      if (piece_bytes[p] == 0) continue;
      std::memcpy(out + row * row_bytes + column[p], pieces[p] + row * piece_bytes[p], piece_bytes[p]);
    }
  });
}

}  // namespace nabla::cpu
