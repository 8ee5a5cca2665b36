#pragma once
// Shared by tests that check error messages: the message of the nabla::Error a call raises.
#include <functional>
#include <string>

#include "nabla/error.h"

namespace nabla::testing {

/// The what() of the nabla::Error that `fn` throws, or "" when it returns normally.
inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace nabla::testing
