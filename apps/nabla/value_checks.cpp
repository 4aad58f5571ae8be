#include "value_checks.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace nabla::cli::detail {
namespace {

// 0.5, 100000, 1e-06: as short as the value allows.
std::string shortest(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// The whole of `text` as a finite number, or false.
bool read_number(const std::string& text, bool integer, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  value = integer ? static_cast<double>(std::strtoll(text.c_str(), &end, 10)) : std::strtod(text.c_str(), &end);
  return *end == '\0' && errno == 0 && std::isfinite(value);
}

bool within(Bound bound, double value, double low, double high) {
  switch (bound) {
    case Bound::positive:
      return value > 0;
    case Bound::non_negative:
      return value >= 0;
    case Bound::range:
      return value >= low && value <= high;
  }
  return false;
}

}  // namespace

CLI::Validator number_check(bool integer, Bound bound, double low, double high) {
  std::string what, shown;
  switch (bound) {
    case Bound::positive:
      what = std::string(integer ? "a positive integer" : "a positive number");
      shown = "POSITIVE";
      break;
    case Bound::non_negative:
      what = (integer ? "an integer" : "a number") + std::string(" >= 0");
      shown = "NONNEGATIVE";
      break;
    case Bound::range:
      what = (integer ? "an integer" : "a number") + std::string(" from ") + shortest(low) + " to " + shortest(high);
      shown = "[" + shortest(low) + ", " + shortest(high) + "]";
      break;
  }
  return CLI::Validator(
      [=](std::string& input) -> std::string {
        double value = 0;
        if (read_number(input, integer, value) && within(bound, value, low, high)) return "";
        // A number of the wrong kind or size is shown as it is; anything else in quotes.
        const std::string got = read_number(input, false, value) ? input : "'" + input + "'";
        return "must be " + what + ", got " + got;
      },
      shown);
}

}  // namespace nabla::cli::detail
