// One epoch of Fashion-MNIST through the data pipeline (ToTensor + Normalize, batch 64), timed in
// process CPU time. Usage: data_pipeline [num_workers]
#include <ctime>
#include <iostream>
#include <string>

#include <nabla/data.h>

using namespace nabla;
using namespace nabla::data;

int main(int argc, char** argv) {
  const int workers = argc > 1 ? std::stoi(argv[1]) : 0;
  auto train = std::make_shared<FashionMNIST>();
  auto ds = std::make_shared<TransformDataset>(
      train, transforms::Compose({transforms::ToTensor(), transforms::Normalize({0.2860}, {0.3530})}));
  DataLoaderOptions opt;
  opt.batch_size = 64;
  opt.shuffle = true;
  opt.num_workers = workers;
  DataLoader loader(ds, opt);
  const std::clock_t start = std::clock();
  int64_t images = 0;
  double checksum = 0;
  for (const Batch& b : loader) {
    images += b.input.size(0);
    checksum += b.input.data_ptr<float>()[0];
  }
  const double cpu = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
  std::cout << images << " images in " << loader.size() << " batches, " << cpu << " s CPU (" << images / cpu
            << " images/s), workers " << workers << ", checksum " << checksum << "\n";
}
