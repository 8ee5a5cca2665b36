#pragma once
// The search space of `nabla search`: the [search] settings and [search.space] dimensions of a
// search file, random sampling (uniform, or uniform in log space), grid enumeration, the
// coarse → fine narrowing between stages, k-fold splits and the edge-of-range warning.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "config.h"
#include "nabla/random.h"

namespace nabla::cli {

/// How a dimension is explored.
enum class DimKind { LogUniform, Uniform, Choice, Grid };

/// One searched config key.
struct SearchDim {
  std::string key;                  ///< a train config key ("optimizer.lr")
  DimKind kind = DimKind::Uniform;
  double lo = 0, hi = 0;            ///< LogUniform / Uniform range
  std::vector<std::string> values;  ///< Choice / Grid values as config text
  bool integer = false;             ///< the key is an integer: sampled values are rounded
};

/// The [search] table.
struct SearchSettings {
  std::string name = "search";  ///< run directory runs/<name>/
  std::string out_dir = "runs";
  int64_t trials = 8;           ///< random draws per stage (each crossed with every grid point)
  int64_t stages = 1;           ///< 1: one stage; 2 or more: coarse → fine
  int64_t top_k = 3;            ///< trials of a stage that define the next stage's ranges
  int64_t folds = 0;            ///< ≥ 2: k-fold cross-validation on the training split
  int64_t seed = 0;
};

/// A parsed search file: settings, dimensions, and the base training config (the file's other
/// sections, the same keys as `nabla train`).
struct SearchSpec {
  SearchSettings settings;
  std::vector<SearchDim> dims;
  TrainConfig base;
};

/// One trial's values: config key → value as config text, in dimension order.
using Assignment = std::vector<std::pair<std::string, std::string>>;

/// Parses a search file (`source` names it in errors). Unknown [search] keys, unknown config keys
/// in [search.space] (the valid ones are listed), malformed ranges (lo ≥ hi, log range not
/// positive, empty lists) and range kinds on non-numeric keys raise Error.
SearchSpec parse_search(const std::string& text, const std::string& source);

/// Sets a [search] setting from command-line text (`key` without the "search." prefix).
void set_search_setting(SearchSettings& settings, const std::string& key, const std::string& value);

/// A value of a LogUniform (exp of a uniform in [ln lo, ln hi)) or Uniform dimension.
double sample_range(const SearchDim& dim, Generator& gen);

/// The value text of a sampled number (integers rounded for integer keys).
std::string value_text(const SearchDim& dim, double value);

/// Every combination of the Grid dimensions (the first dimension varies slowest); one empty
/// assignment when there is no grid.
std::vector<Assignment> grid_points(const std::vector<SearchDim>& dims);

/// The trials of one stage: `trials` random draws of the LogUniform / Uniform / Choice
/// dimensions, each crossed with every grid point (just the grid points when nothing is random).
/// Draws come from a Generator seeded with `seed`.
std::vector<Assignment> stage_trials(const std::vector<SearchDim>& dims, int64_t trials, uint64_t seed);

/// The next stage's dimensions from the best trials of this one (`best`, best first): each
/// LogUniform / Uniform range becomes the span of the best trials' values, widened on each side
/// by 10 % of the current range's width (in log space for LogUniform) and clipped to the current
/// range; Grid and Choice keep only the values the best trials used (in their original order).
std::vector<SearchDim> narrow_dims(const std::vector<SearchDim>& dims, const std::vector<Assignment>& best);

/// Warnings for the best trial's values that lie at the edge of their original range: in the
/// outer 10 % of a LogUniform range's log width or a Uniform range's width, or the first or last
/// value of a grid of two or more values. A better value may lie beyond the range.
std::vector<std::string> edge_warnings(const std::vector<SearchDim>& dims, const Assignment& best);

}  // namespace nabla::cli
