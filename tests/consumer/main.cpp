// The README's first example, as a user's program: (x + y) * z and its gradients.
#include <nabla/nabla.h>

#include <iostream>

int main() {
  using namespace nabla;
  Tensor x = scalar_tensor(-2).requires_grad_(), y = scalar_tensor(5).requires_grad_(),
         z = scalar_tensor(-4).requires_grad_();
  Tensor f = (x + y) * z;
  f.backward();
  std::cout << f << " " << x.grad() << " " << z.grad() << "\n";
  return f.item() == -12.0 && x.grad().item() == -4.0 && z.grad().item() == 3.0 ? 0 : 1;
}
