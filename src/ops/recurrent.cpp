// The fused recurrence (declared in nabla/functional.h): forward and back-propagation through time
// over a whole sequence in one autograd node, with a general-ops definition for higher derivatives.
#include <algorithm>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/recurrent.h"
#include "nabla/autograd.h"
#include "nabla/functional.h"
#include "nabla/ops.h"
#include "ops/op_utils.h"

namespace nabla::functional {
namespace {

using detail::kernel_for;
using detail::with_floating;

// An autograd node has one output, so the op's three results share one tensor, `packed`
// [rows, N, H], and are handed out as views of it:
//   forward:  row 0 = h0, row t + 1 = h_t;     reverse:  row t = h_t, row T = h0;
//   LSTM:     one more row, the final c.
// The h_{t-1} of all steps are then one contiguous block of T rows in time order, which is what
// the single weight-gradient GEMM reads. The LSTM's cell states use the same row numbering.
struct Layout {
  int64_t steps;
  bool reverse;
  bool lstm;
  int64_t rows() const { return steps + 1 + (lstm ? 1 : 0); }
  int64_t h_row(int64_t t) const { return reverse ? t : t + 1; }     // h_t
  int64_t prev_row(int64_t t) const { return reverse ? t + 1 : t; }  // the state step t reads
  int64_t h0_row() const { return reverse ? steps : 0; }
  int64_t final_row() const { return reverse ? 0 : steps; }
  int64_t first_prev_row() const { return reverse ? 1 : 0; }
  int64_t c_row() const { return steps + 1; }
  int64_t time_at(int64_t s) const { return reverse ? steps - 1 - s : s; }  // s-th step run
};

RecurrentRun unpack(const Tensor& packed, const Layout& layout) {
  RecurrentRun run;
  const int64_t start = layout.reverse ? 0 : 1;
  run.output = packed.slice(0, start, start + layout.steps);
  run.h_final = packed.select(0, layout.final_row());
  if (layout.lstm) run.c_final = packed.select(0, layout.c_row());
  return run;
}

void check_inputs(RecurrentCellKind kind, const Tensor& input_gates, const Tensor& weight_hh,
                  const Tensor& bias_hh, const Tensor& h0, const Tensor& c0) {
  const std::string name = cell_name(kind);
  detail::require_floating(input_gates, name.c_str());
  if (input_gates.dim() != 3 || weight_hh.dim() != 2)
    throw ShapeError(name + ": expects input gates [T, N, G*H] and weight_hh [G*H, H], got " +
                     to_string(input_gates.shape()) + " and " + to_string(weight_hh.shape()));
  const int64_t steps = input_gates.size(0), batch = input_gates.size(1);
  const int64_t hidden = weight_hh.size(1), width = gate_count(kind) * hidden;
  if (steps < 1 || batch < 1 || hidden < 1)
    throw ShapeError(name + ": needs at least one time step, batch row and hidden unit, got input gates " +
                     to_string(input_gates.shape()) + " and weight_hh " + to_string(weight_hh.shape()));
  if (weight_hh.size(0) != width || input_gates.size(2) != width)
    throw ShapeError(name + ": input gates " + to_string(input_gates.shape()) + " and weight_hh " +
                     to_string(weight_hh.shape()) + " should have " + std::to_string(width) +
                     " gate columns (" + std::to_string(gate_count(kind)) + " x hidden " +
                     std::to_string(hidden) + ")");
  if (bias_hh.defined() && bias_hh.shape() != Shape{width})
    throw ShapeError(name + ": bias_hh of shape " + to_string(bias_hh.shape()) + " should be [" +
                     std::to_string(width) + "]");
  const Shape state{batch, hidden};
  if (h0.shape() != state)
    throw ShapeError(name + ": initial h of shape " + to_string(h0.shape()) + " should be " +
                     to_string(state));
  if (kind == RecurrentCellKind::lstm ? c0.shape() != state : c0.defined())
    throw ShapeError(name + ": initial c " +
                     (c0.defined() ? "of shape " + to_string(c0.shape()) : std::string("(none)")) +
                     (kind == RecurrentCellKind::lstm ? " should be " + to_string(state)
                                                      : " is only for an LSTM"));
  for (const Tensor* t : {&weight_hh, &bias_hh, &h0, &c0})
    if (t->defined() && t->dtype() != input_gates.dtype())
      throw DTypeError(name + ": all inputs must be " + to_string(input_gates.dtype()) + ", got " +
                       to_string(t->dtype()));
}

// What the fused forward keeps for the backward (defined only while recording).
struct Saved {
  Tensor gates;  // LSTM: activations i, f, g, o [T, N, 4H]; GRU: r, z, n, W_hn h + b_hn [T, N, 4H]
  Tensor cells;  // LSTM: cell states [T + 1, N, H] in the packed row numbering
};

// The loops below address rows of buffers that may be device memory, so they move and add
// elements through the device's kernels, never by dereferencing a pointer here.
//
// dst[r, :] = src[r * src_row_stride, :] for r < rows (stride 0 repeats one row).
template <class S>
void copy_span(Device device, const char* op, S* dst, const S* src, int64_t rows, int64_t width,
               int64_t src_row_stride) {
  kernel_for<kernels::copy>(device, op)(dtype_of<S>(), dtype_of<S>(), {rows, width}, dst, {width, 1},
                                        src, {src_row_stride, 1});
}
// out[0..n) = a[0..n) + b[0..n); out may be a.
template <class S>
void add_span(Device device, const char* op, S* out, const S* a, const S* b, int64_t n) {
  kernel_for<kernels::binary>(device, op)(kernels::BinaryOp::add, dtype_of<S>(), {n}, out, {1}, a, {1},
                                          b, {1});
}

template <class S>
void copy_rows(const Tensor& src, S* dst, const char* op) {
  const Tensor c = src.contiguous();
  copy_span(c.device(), op, dst, c.data<S>(), 1, c.numel(), 0);
}

template <class S>
void run_forward(RecurrentCellKind kind, const Layout& layout, const Tensor& input_gates,
                 const Tensor& weight_hh, const Tensor& bias_hh, const Tensor& h0, const Tensor& c0,
                 bool keep_all, const Tensor& packed, Saved& saved) {
  const int64_t steps = layout.steps, n = input_gates.size(1), hidden = weight_hh.size(1);
  const int64_t width = gate_count(kind) * hidden, nh = n * hidden;
  const Device device = packed.device();
  const char* op = cell_name(kind);
  const auto gemm = kernel_for<kernels::gemm<S>>(device, op);
  const auto add_bias_rows = kernel_for<kernels::add_bias_rows<S>>(device, op);
  const Tensor x = input_gates.contiguous(), w = weight_hh.contiguous();
  const Tensor b = bias_hh.defined() ? bias_hh.contiguous() : Tensor();
  const S* px = x.data<S>();
  const S* pw = w.data<S>();
  const S* pb = b.defined() ? b.data<S>() : nullptr;
  S* ph = packed.data<S>();
  copy_rows<S>(h0, ph + layout.h0_row() * nh, op);

  // Without a backward to feed, one step's scratch is enough: gate rows are overwritten each
  // step and the cell states alternate between two rows (prev_row and h_row differ by one).
  const int64_t saved_width = kind == RecurrentCellKind::lstm || kind == RecurrentCellKind::gru
                                  ? 4 * hidden : 0;
  Tensor gates = saved_width ? Tensor::empty({keep_all ? steps : 1, n, saved_width}, packed.dtype(), packed.device())
                             : Tensor();
  const bool lstm = kind == RecurrentCellKind::lstm;
  Tensor cells = lstm ? Tensor::empty({keep_all ? steps + 1 : 2, n, hidden}, packed.dtype(), packed.device()) : Tensor();
  auto cell_row = [&](int64_t row) { return (keep_all ? row : row % 2) * nh; };
  S* pc = lstm ? cells.data<S>() : nullptr;
  if (lstm) copy_rows<S>(c0, pc + cell_row(layout.h0_row()), op);
  Tensor h_gates = kind == RecurrentCellKind::gru ? Tensor::empty({n, width}, packed.dtype(), packed.device()) : Tensor();

  for (int64_t s = 0; s < steps; ++s) {
    const int64_t t = layout.time_at(s);
    const S* h_prev = ph + layout.prev_row(t) * nh;
    S* h = ph + layout.h_row(t) * nh;
    const S* xt = px + t * n * width;
    S* g = saved_width ? gates.data<S>() + (keep_all ? t : 0) * n * saved_width : nullptr;
    switch (kind) {
      case RecurrentCellKind::lstm:
        // gates = x_t + b_hh, then += h_{t-1} W_hh^T in the GEMM (beta = 1).
        add_bias_rows(n, width, xt, pb, g);
        gemm(false, true, n, width, hidden, S(1), h_prev, hidden, pw, hidden, S(1), g, width);
        kernel_for<kernels::lstm_cell_forward<S>>(device, op)(
            n, hidden, g, pc + cell_row(layout.prev_row(t)), pc + cell_row(layout.h_row(t)), h);
        break;
      case RecurrentCellKind::gru: {
        // The hidden side stays separate: its n block is scaled by r before joining x's.
        S* hg = h_gates.data<S>();
        if (pb) copy_span(device, op, hg, pb, n, width, 0);
        gemm(false, true, n, width, hidden, S(1), h_prev, hidden, pw, hidden, pb ? S(1) : S(0), hg,
             width);
        kernel_for<kernels::gru_cell_forward<S>>(device, op)(n, hidden, xt, hg, h_prev, g, h);
        break;
      }
      case RecurrentCellKind::rnn_tanh:
      case RecurrentCellKind::rnn_relu:
        add_bias_rows(n, width, xt, pb, h);
        gemm(false, true, n, width, hidden, S(1), h_prev, hidden, pw, hidden, S(1), h, width);
        kernel_for<kernels::rnn_cell_forward<S>>(device, op)(
            nh, kind == RecurrentCellKind::rnn_relu, h);
        break;
    }
  }
  if (lstm) copy_span(device, op, ph + layout.c_row() * nh, pc + cell_row(layout.final_row()), 1, nh, 0);
  if (keep_all) saved = {gates, cells};
}

// Back-propagation through time with the fused kernels. `grad` is the gradient of packed.
// Returns the gradients of input_gates, weight_hh, bias_hh, h0, c0 (undefined where not wanted).
template <class S>
std::vector<Tensor> run_backward(RecurrentCellKind kind, const Layout& layout, const Tensor& grad,
                                 const Tensor& packed, const Saved& saved, const Tensor& weight_hh,
                                 const std::vector<bool>& wanted) {
  const int64_t steps = layout.steps, n = packed.size(1), hidden = packed.size(2);
  const int64_t width = gate_count(kind) * hidden, nh = n * hidden;
  const DType dtype = packed.dtype();
  const Device device = packed.device();
  const char* op = cell_name(kind);
  const auto gemm = kernel_for<kernels::gemm<S>>(device, op);
  const Tensor gp = grad.contiguous(), w = weight_hh.contiguous();
  const S* pg = gp.data<S>();
  const S* ph = packed.data<S>();
  const S* pw = w.data<S>();
  const bool gru = kind == RecurrentCellKind::gru, lstm = kind == RecurrentCellKind::lstm;

  // d_input: the gradient of the input gates; d_hidden: of h W_hh^T + b_hh. They are one buffer
  // except for the GRU, whose n block enters the two sides differently.
  Tensor d_input = Tensor::empty({steps, n, width}, dtype, device);
  Tensor d_hidden = gru ? Tensor::empty({steps, n, width}, dtype, device) : d_input;
  Tensor dh_next = zeros({n, hidden}, dtype, device), dh = Tensor::empty({n, hidden}, dtype, device);
  Tensor dc = lstm ? gp.select(0, layout.c_row()).clone() : Tensor();
  S* pdi = d_input.data<S>();
  S* pdh_side = d_hidden.data<S>();
  S* pnext = dh_next.data<S>();
  S* pdh = dh.data<S>();

  for (int64_t s = steps - 1; s >= 0; --s) {
    const int64_t t = layout.time_at(s);
    const S* g_out = pg + layout.h_row(t) * nh;
    add_span(device, op, pdh, g_out, pnext, nh);
    S* di = pdi + t * n * width;
    S* dside = pdh_side + t * n * width;
    switch (kind) {
      case RecurrentCellKind::lstm: {
        const S* pc = saved.cells.data<S>();
        kernel_for<kernels::lstm_cell_backward<S>>(device, op)(
            n, hidden, saved.gates.data<S>() + t * n * 4 * hidden, pc + layout.prev_row(t) * nh,
            pc + layout.h_row(t) * nh, pdh, dc.data<S>(), di);
        gemm(false, false, n, hidden, width, S(1), di, width, pw, hidden, S(0), pnext, hidden);
        break;
      }
      case RecurrentCellKind::gru:
        kernel_for<kernels::gru_cell_backward<S>>(device, op)(
            n, hidden, saved.gates.data<S>() + t * n * 4 * hidden, ph + layout.prev_row(t) * nh,
            pdh, di, dside, pnext);
        gemm(false, false, n, hidden, width, S(1), dside, width, pw, hidden, S(1), pnext, hidden);
        break;
      case RecurrentCellKind::rnn_tanh:
      case RecurrentCellKind::rnn_relu:
        kernel_for<kernels::rnn_cell_backward<S>>(device, op)(
            nh, kind == RecurrentCellKind::rnn_relu, ph + layout.h_row(t) * nh, pdh, di);
        gemm(false, false, n, hidden, width, S(1), di, width, pw, hidden, S(0), pnext, hidden);
        break;
    }
  }

  std::vector<Tensor> grads(5);
  if (wanted[0]) grads[0] = d_input;
  if (wanted[1]) {
    // sum_t dside_t^T h_{t-1}: one GEMM over all T * N rows.
    grads[1] = Tensor::empty({width, hidden}, dtype, device);
    gemm(true, false, width, hidden, steps * n, S(1), pdh_side, width,
         ph + layout.first_prev_row() * nh, hidden, S(0), grads[1].data<S>(), hidden);
  }
  if (wanted[2]) {
    grads[2] = Tensor::empty({width}, dtype, device);
    kernel_for<kernels::column_sums<S>>(device, op)(steps * n, width, pdh_side, grads[2].data<S>());
  }
  if (wanted[3]) {
    // packed's h0 row is h0 itself, so a gradient given there adds to the one from step 0.
    const S* g0 = pg + layout.h0_row() * nh;
    add_span(device, op, pnext, pnext, g0, nh);
    grads[3] = dh_next;
  }
  if (wanted[4]) grads[4] = dc;
  return grads;
}

// The recurrence step by step in general ops, in the packed layout.
Tensor reference_packed(RecurrentCellKind kind, const Tensor& input_gates, const Tensor& weight_hh,
                        const Tensor& bias_hh, const Tensor& h0, const Tensor& c0, bool reverse) {
  const int64_t steps = input_gates.size(0), hidden = weight_hh.size(1);
  const Layout layout{steps, reverse, kind == RecurrentCellKind::lstm};
  auto block = [hidden](const Tensor& t, int64_t k) {
    return slice(t, 1, k * hidden, (k + 1) * hidden);
  };
  std::vector<Tensor> rows(static_cast<size_t>(layout.rows()));
  rows[static_cast<size_t>(layout.h0_row())] = h0;
  Tensor h = h0, c = c0;
  for (int64_t s = 0; s < steps; ++s) {
    const int64_t t = layout.time_at(s);
    const Tensor xt = select(input_gates, 0, t);
    const Tensor hg = functional::linear(h, weight_hh, bias_hh);
    switch (kind) {
      case RecurrentCellKind::lstm: {
        const Tensor pre = xt + hg;
        const Tensor i = sigmoid(block(pre, 0)), f = sigmoid(block(pre, 1));
        const Tensor g = tanh(block(pre, 2)), o = sigmoid(block(pre, 3));
        c = f * c + i * g;
        h = o * tanh(c);
        break;
      }
      case RecurrentCellKind::gru: {
        const Tensor r = sigmoid(block(xt, 0) + block(hg, 0));
        const Tensor z = sigmoid(block(xt, 1) + block(hg, 1));
        const Tensor n = tanh(block(xt, 2) + r * block(hg, 2));
        h = (1.0 - z) * n + z * h;
        break;
      }
      case RecurrentCellKind::rnn_tanh: h = tanh(xt + hg); break;
      case RecurrentCellKind::rnn_relu: h = relu(xt + hg); break;
    }
    rows[static_cast<size_t>(layout.h_row(t))] = h;
  }
  if (layout.lstm) rows.back() = c;
  return stack(rows, 0);
}

}  // namespace

int64_t gate_count(RecurrentCellKind kind) {
  switch (kind) {
    case RecurrentCellKind::lstm: return 4;
    case RecurrentCellKind::gru: return 3;
    default: return 1;
  }
}

const char* cell_name(RecurrentCellKind kind) {
  switch (kind) {
    case RecurrentCellKind::rnn_tanh: return "rnn_tanh";
    case RecurrentCellKind::rnn_relu: return "rnn_relu";
    case RecurrentCellKind::lstm: return "lstm";
    case RecurrentCellKind::gru: return "gru";
  }
  return "recurrent";
}

RecurrentRun recurrent_sequence(RecurrentCellKind kind, const Tensor& input_gates,
                                const Tensor& weight_hh, const Tensor& bias_hh, const Tensor& h0,
                                const Tensor& c0, bool reverse) {
  check_inputs(kind, input_gates, weight_hh, bias_hh, h0, c0);
  detail::common_device(cell_name(kind), {input_gates, weight_hh, bias_hh, h0, c0});
  const Layout layout{input_gates.size(0), reverse, kind == RecurrentCellKind::lstm};
  const std::vector<Tensor> inputs{input_gates, weight_hh, bias_hh, h0, c0};
  const bool recording = needs_grad(inputs);
  Tensor packed = Tensor::empty({layout.rows(), input_gates.size(1), weight_hh.size(1)}, input_gates.dtype(), input_gates.device());
  Saved saved;
  with_floating(packed, [&](auto tag) {
    using S = decltype(tag);
    run_forward<S>(kind, layout, input_gates, weight_hh, bias_hh, h0, c0, recording, packed, saved);
  });
  if (!recording) return unpack(packed, layout);

  // The values of packed, without the grad_fn that would make a cycle through this node.
  const Tensor values = packed.detach();
  record(cell_name(kind), inputs, packed,
         [kind, layout, inputs, values, saved](const Tensor& g) -> std::vector<Tensor> {
           std::vector<bool> wanted;
           for (const Tensor& t : inputs) wanted.push_back(t.defined() && t.requires_grad());
           if (is_grad_enabled()) {
             // create_graph: differentiate the general-ops definition, so the gradient is
             // itself a graph over the inputs and g.
             std::vector<Tensor> targets;
             for (size_t i = 0; i < inputs.size(); ++i)
               if (wanted[i]) targets.push_back(inputs[i]);
             const Tensor reference = reference_packed(kind, inputs[0], inputs[1], inputs[2],
                                                       inputs[3], inputs[4], layout.reverse);
             GradOptions options;
             options.create_graph = true;
             options.allow_unused = true;
             const std::vector<Tensor> found = grad({reference}, targets, {g}, options);
             std::vector<Tensor> grads(inputs.size());
             for (size_t i = 0, k = 0; i < inputs.size(); ++i)
               if (wanted[i]) grads[i] = found[k++];
             return grads;
           }
           std::vector<Tensor> grads;
           with_floating(values, [&](auto tag) {
             using S = decltype(tag);
             grads = run_backward<S>(kind, layout, g, values, saved, inputs[1], wanted);
           });
           return grads;
         });
  return unpack(packed, layout);
}

RecurrentRun recurrent_sequence_reference(RecurrentCellKind kind, const Tensor& input_gates,
                                          const Tensor& weight_hh, const Tensor& bias_hh,
                                          const Tensor& h0, const Tensor& c0, bool reverse) {
  check_inputs(kind, input_gates, weight_hh, bias_hh, h0, c0);
  detail::common_device(cell_name(kind), {input_gates, weight_hh, bias_hh, h0, c0});
  const Layout layout{input_gates.size(0), reverse, kind == RecurrentCellKind::lstm};
  return unpack(reference_packed(kind, input_gates, weight_hh, bias_hh, h0, c0, reverse), layout);
}

}  // namespace nabla::functional
