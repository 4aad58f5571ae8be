// Printing like NumPy and PyTorch: nested brackets, one format for all elements, and only the
// edges of large tensors.
#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>

#include "nabla/autograd.h"
#include "nabla/tensor.h"

namespace nabla {
namespace {

PrintOptions g_options;

struct Formatter {
  DType dtype;
  bool integral;   // every value a whole number: print without decimals ("1.", as PyTorch)
  bool scientific; // values too large or small for fixed notation
  int width = 0;
  int precision;

  std::string format(double v) const {
    char buf[64];
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (scientific) std::snprintf(buf, sizeof buf, "%.*e", precision, v);
    else if (integral) std::snprintf(buf, sizeof buf, "%.0f.", v);
    else std::snprintf(buf, sizeof buf, "%.*f", precision, v);
    return buf;
  }

  // One element as printed: integers in full, bools as true/false, floats in the common format.
  std::string text(double v) const {
    if (dtype == DType::boolean) return v != 0 ? "true" : "false";
    if (dtype == DType::i64) return std::to_string(static_cast<int64_t>(v));
    return format(v);
  }
};

void print_recursive(std::ostream& os, const Tensor& t, const std::vector<double>& values,
                     const Shape& strides, int64_t base, int64_t axis, bool summarize,
                     const Formatter& f, int indent) {
  const int64_t n = t.shape()[static_cast<size_t>(axis)];
  const int64_t edge = g_options.edgeitems;
  os << '[';
  for (int64_t i = 0; i < n; ++i) {
    if (summarize && n > 2 * edge && i == edge) {
      os << "...";
      i = n - edge - 1;
      if (axis + 1 == t.dim()) os << ", ";
      else os << ",\n" << std::string(static_cast<size_t>(indent + 1), ' ');
      continue;
    }
    const int64_t at = base + i * strides[static_cast<size_t>(axis)];
    if (axis + 1 == t.dim()) {
      const std::string s = f.text(values[static_cast<size_t>(at)]);
      os << std::string(static_cast<size_t>(std::max<int>(0, f.width - int(s.size()))), ' ') << s;
    } else {
      print_recursive(os, t, values, strides, at, axis + 1, summarize, f, indent + 1);
    }
    if (i + 1 < n) {
      if (axis + 1 == t.dim()) os << ", ";
      else os << ',' << std::string(static_cast<size_t>(t.dim() - axis - 1), '\n')
              << std::string(static_cast<size_t>(indent + 1), ' ');
    }
  }
  os << ']';
}

}  // namespace

void set_print_options(const PrintOptions& options) { g_options = options; }

std::string Tensor::str() const {
  if (!defined()) return "tensor(undefined)";
  std::ostringstream os;
  const std::vector<double> values = to_vector<double>();
  const bool is_int = !is_floating(dtype());
  const bool summarize = numel() > g_options.threshold;
  Formatter f{dtype(), true, false, 0, g_options.precision};
  double largest = 0, smallest = INFINITY;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    if (v != std::floor(v)) f.integral = false;
    largest = std::max(largest, std::abs(v));
    if (v != 0) smallest = std::min(smallest, std::abs(v));
  }
  if (!is_int && (largest >= 1e8 || (smallest < 1e-4 && !f.integral))) f.scientific = true;
  for (double v : values) {
    f.width = std::max(f.width, static_cast<int>(f.text(v).size()));
  }
  os << "tensor(";
  if (numel() == 0 && dim() > 1) {
    os << "[], shape=" << to_string(shape());  // PyTorch's tensor([], size=(2, 0))
  } else if (dim() == 0) {
    os << f.text(values[0]);
  } else {
    print_recursive(os, *this, values, contiguous_strides(shape()), 0, 0, summarize, f, 7);
  }
  if (device() != kCPU) os << ", device=" << device().str();
  if (dtype() != kDefaultDType) os << ", dtype=" << to_string(dtype());
  if (summarize) os << ", shape=" << to_string(shape());
  if (grad_fn()) os << ", grad_fn=<" << grad_fn()->name() << ">";
  else if (requires_grad()) os << ", requires_grad=true";
  os << ")";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

}  // namespace nabla
