// What the edge-case tests share: a call must throw E with a message containing every part.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nabla::test_support {

template <class E, class F>
void expect_error(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected one naming " << (parts.empty() ? "" : parts[0]);
  } catch (const E& e) {
    for (const std::string& part : parts)
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << "message lacks \"" << part << "\": " << e.what();
  }
}

}  // namespace nabla::test_support
