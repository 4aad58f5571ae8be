// Checks of numeric option values that say in words what is wanted and what came:
// "--epochs must be a positive integer, got 0", "--lr must be a positive number, got 'abc'".
// (CLI11's PositiveNumber and Range print their range instead, up to 1.8e308 written out in
// full.) The wording follows the option's type, so a check is chosen by the variable its option
// is bound to: `add_option("--epochs", o.epochs, ...)->check(positive(o.epochs))`.
#pragma once
#include <CLI/CLI.hpp>

#include <string>
#include <type_traits>
#include <vector>

namespace nabla::cli {

namespace detail {
enum class Bound { positive, non_negative, range };
// Accepts an integer (or, `integer` false, any number) within `bound` ([low, high] for a range);
// otherwise says "must be <what it wants>, got <the input>", which main.cpp's error handler
// prints after the option's name.
CLI::Validator number_check(bool integer, Bound bound, double low = 0, double high = 0);
}  // namespace detail

// > 0.
template <class T>
CLI::Validator positive(const T&) {
  return detail::number_check(std::is_integral_v<T>, detail::Bound::positive);
}

// Every element > 0 (CLI11 checks a list option's values one by one).
template <class T>
CLI::Validator positive(const std::vector<T>&) {
  return positive(T{});
}

// >= 0.
template <class T>
CLI::Validator non_negative(const T&) {
  return detail::number_check(std::is_integral_v<T>, detail::Bound::non_negative);
}

// In [low, high].
template <class T>
CLI::Validator between(const T&, double low, double high) {
  return detail::number_check(std::is_integral_v<T>, detail::Bound::range, low, high);
}

}  // namespace nabla::cli
