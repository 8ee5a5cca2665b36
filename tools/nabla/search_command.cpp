// `nabla search SEARCH.toml [--key value…]`: hyperparameter search over config keys — random
// sampling (log-uniform / uniform / choice) and grids, coarse → fine stages, optional k-fold
// cross-validation — with a results table sorted by validation accuracy, written to
// runs/<name>/search.csv and search.jsonl, and warnings for best values at the edge of a range.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "config.h"
#include "nabla/data/kfold.h"
#include "nabla/error.h"
#include "nabla/viz.h"
#include "search_space.h"
#include "trainer.h"

namespace nabla::cli {

namespace {

struct TrialResult {
  int64_t stage = 0, trial = 0;
  Assignment values;
  double val_acc = NAN, val_acc_std = 0, val_loss = NAN, seconds = 0;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  NABLA_CHECK(in.good(), "nabla search: cannot read search file '", path, "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string assignment_text(const Assignment& a) {
  std::string out;
  for (const auto& [k, v] : a) out += (out.empty() ? "" : "  ") + k + "=" + v;
  return out;
}

// Trains one trial (every fold with folds ≥ 2) and returns the mean best validation accuracy.
TrialResult run_trial(const SearchSpec& spec, const ImageData& data, const Assignment& values) {
  TrainConfig c = spec.base;
  for (const auto& [k, v] : values) set_key(c, k, v);
  validate(c);
  TrialResult r;
  r.values = values;
  TrainOptions opt;
  opt.verbose = false;
  opt.write_run = false;
  opt.data = &data;
  const auto start = std::chrono::steady_clock::now();
  std::vector<double> accs, losses;
  if (spec.settings.folds >= 2) {
    std::vector<int64_t> pool = data.train_indices;
    if (c.data.train_subset > 0 && c.data.train_subset < int64_t(pool.size())) pool.resize(size_t(c.data.train_subset));
    c.data.train_subset = 0;  // already applied to the pool the folds come from
    NABLA_CHECK(spec.settings.folds <= int64_t(pool.size()), "nabla search: search.folds must be in [2, ", pool.size(),
                "] for ", pool.size(), " training images, got ", spec.settings.folds);
    for (const data::Fold& fold : data::kfold(pool, spec.settings.folds)) {
      opt.train_indices = fold.train;
      opt.val_indices = fold.val;
      const TrainResult t = train_model(c, opt);
      accs.push_back(t.diverged ? NAN : t.best_val_acc);
      losses.push_back(t.last_val_loss);
    }
  } else {
    const TrainResult t = train_model(c, opt);
    accs.push_back(t.diverged ? NAN : t.best_val_acc);
    losses.push_back(t.last_val_loss);
  }
  double sum = 0, loss_sum = 0, sq = 0;
  for (size_t i = 0; i < accs.size(); ++i) {
    sum += accs[i];
    loss_sum += losses[i];
  }
  r.val_acc = sum / double(accs.size());
  r.val_loss = loss_sum / double(accs.size());
  for (double a : accs) sq += (a - r.val_acc) * (a - r.val_acc);
  r.val_acc_std = accs.size() > 1 ? std::sqrt(sq / double(accs.size() - 1)) : 0.0;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

// Best first; diverged trials (NaN) last.
void sort_by_score(std::vector<TrialResult>& rs) {
  std::stable_sort(rs.begin(), rs.end(), [](const TrialResult& a, const TrialResult& b) {
    if (std::isnan(a.val_acc) != std::isnan(b.val_acc)) return std::isnan(b.val_acc);
    return a.val_acc > b.val_acc;
  });
}

void write_results(const std::string& dir, const std::vector<SearchDim>& dims, const std::vector<TrialResult>& rs) {
  std::string csv = "rank,stage,trial";
  for (const auto& d : dims) csv += "," + d.key;
  csv += ",val_acc,val_acc_std,val_loss,seconds\n";
  std::string jsonl;
  char buf[128];
  for (size_t i = 0; i < rs.size(); ++i) {
    const TrialResult& r = rs[i];
    nlohmann::json j = {{"rank", i + 1}, {"stage", r.stage}, {"trial", r.trial}};
    csv += std::to_string(i + 1) + "," + std::to_string(r.stage) + "," + std::to_string(r.trial);
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [k, v] : r.values) params[k] = v;
    for (const auto& d : dims) {
      csv += ',';
      if (params.contains(d.key)) csv += params[d.key].get<std::string>();
    }
    j["params"] = params;
    j["val_acc"] = std::isnan(r.val_acc) ? nlohmann::json(nullptr) : nlohmann::json(r.val_acc);
    j["val_acc_std"] = r.val_acc_std;
    j["val_loss"] = std::isnan(r.val_loss) ? nlohmann::json(nullptr) : nlohmann::json(r.val_loss);
    j["seconds"] = r.seconds;
    std::snprintf(buf, sizeof buf, ",%.6g,%.6g,%.6g,%.3f\n", r.val_acc, r.val_acc_std, r.val_loss, r.seconds);
    csv += buf;
    jsonl += j.dump() + "\n";
  }
  viz::write_text_atomic(dir + "/search.csv", csv);
  viz::write_text_atomic(dir + "/search.jsonl", jsonl);
}

void print_table(const std::vector<SearchDim>& dims, const std::vector<TrialResult>& rs) {
  std::printf("\n%-5s %-6s %-6s", "rank", "stage", "trial");
  for (const auto& d : dims) std::printf(" %-22s", d.key.c_str());
  std::printf(" %9s %8s %9s\n", "val_acc", "± std", "val_loss");
  for (size_t i = 0; i < rs.size(); ++i) {
    const TrialResult& r = rs[i];
    std::printf("%-5zu %-6lld %-6lld", i + 1, static_cast<long long>(r.stage), static_cast<long long>(r.trial));
    for (const auto& [k, v] : r.values) std::printf(" %-22s", v.c_str());
    std::printf(" %8.2f%% %7.2f%% %9.4f\n", 100 * r.val_acc, 100 * r.val_acc_std, r.val_loss);
  }
}

}  // namespace

int run_search(const std::vector<std::string>& args) {
  std::string path;
  std::vector<std::string> rest;
  std::vector<std::pair<std::string, std::string>> setting_overrides;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a.rfind("--search.", 0) == 0) {
      std::string key = a.substr(9), value;
      const auto eq = key.find('=');
      if (eq != std::string::npos) {
        value = key.substr(eq + 1);
        key = key.substr(0, eq);
      } else {
        NABLA_CHECK(i + 1 < args.size(), "nabla search: option ", a, " needs a value");
        value = args[++i];
      }
      setting_overrides.emplace_back(key, value);
    } else if (a.rfind("--", 0) != 0 && path.empty()) {
      path = a;
    } else {
      rest.push_back(a);
    }
  }
  NABLA_CHECK(!path.empty(), "nabla search: expected a search file, e.g. nabla search configs/search_lenet5.toml");
  SearchSpec spec = parse_search(read_file(path), path);
  for (const auto& [k, v] : setting_overrides) set_search_setting(spec.settings, k, v);
  for (const auto& [k, v] : parse_train_args(rest).overrides) set_key(spec.base, k, v);
  validate(spec.base);
  const SearchSettings& s = spec.settings;

  const ImageData data = load_image_data(spec.base.data, uint64_t(spec.base.train.seed));
  const std::string dir = s.out_dir + "/" + s.name;
  std::filesystem::create_directories(dir);
  viz::write_text_atomic(dir + "/base_config.toml", to_toml(spec.base));
  std::printf("search %s: %zu keys, %lld stage(s), %lld epoch(s) per trial, %s\n", dir.c_str(), spec.dims.size(),
              static_cast<long long>(s.stages), static_cast<long long>(spec.base.train.epochs),
              s.folds >= 2 ? (std::to_string(s.folds) + "-fold cross-validation on the training split").c_str()
                           : "scored on the validation split");

  std::vector<TrialResult> all;
  std::vector<SearchDim> dims = spec.dims;
  for (int64_t stage = 1; stage <= s.stages; ++stage) {
    const auto trials = stage_trials(dims, s.trials, static_cast<uint64_t>(s.seed) * 1000 + uint64_t(stage));
    std::vector<TrialResult> stage_results;
    for (size_t t = 0; t < trials.size(); ++t) {
      TrialResult r = run_trial(spec, data, trials[t]);
      r.stage = stage;
      r.trial = static_cast<int64_t>(t + 1);
      std::printf("stage %lld trial %zu/%zu  %s  val_acc %.2f%%  (%.1f s)\n", static_cast<long long>(stage), t + 1,
                  trials.size(), assignment_text(r.values).c_str(), 100 * r.val_acc, r.seconds);
      std::fflush(stdout);
      stage_results.push_back(r);
      all.push_back(r);
      std::vector<TrialResult> sorted = all;
      sort_by_score(sorted);
      write_results(dir, spec.dims, sorted);  // after every trial: an interrupted search keeps its results
    }
    sort_by_score(stage_results);
    std::vector<Assignment> best;
    for (size_t i = 0; i < stage_results.size() && int64_t(i) < s.top_k; ++i)
      if (!std::isnan(stage_results[i].val_acc)) best.push_back(stage_results[i].values);
    if (stage < s.stages && !best.empty()) dims = narrow_dims(dims, best);
  }
  sort_by_score(all);
  print_table(spec.dims, all);
  std::printf("\nresults: %s/search.csv, %s/search.jsonl\n", dir.c_str(), dir.c_str());
  if (all.empty() || std::isnan(all[0].val_acc)) {
    std::fprintf(stderr, "nabla search: every trial diverged\n");
    return 1;
  }
  TrainConfig best = spec.base;
  for (const auto& [k, v] : all[0].values) set_key(best, k, v);
  viz::write_text_atomic(dir + "/best_config.toml", to_toml(best));
  std::printf("best: %s  val_acc %.2f%%  (config: %s/best_config.toml)\n", assignment_text(all[0].values).c_str(),
              100 * all[0].val_acc, dir.c_str());
  for (const auto& w : edge_warnings(spec.dims, all[0].values)) std::printf("warning: %s\n", w.c_str());
  return 0;
}

}  // namespace nabla::cli
