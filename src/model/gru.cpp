#include "gxn/model/gru.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "gxn/error.hpp"
#include "tensor_checks.hpp"

namespace gxn {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The recurrence over time-major inputs whose rows are sorted by length: step t updates rows
// [0, batch_sizes[t]). x: (T, B, D); h0: (B, H). Returns the states (T, B, H), 0 for rows past
// their sequence's end.
// Step t of the forward pass after the state products gh = W_h h + b_h: with rz holding the
// input products' r and z parts, pre_n the input product's n part, it leaves the gates in rz,
// the candidate in n, W_hn h + b_hn in hn and the new state in out. Rows of H or 2H values.
template <typename T>
void forward_gates(std::int64_t rows, std::int64_t H, const T* gx, const T* gh, const T* h, T* rz, T* n, T* hn,
                   T* out) {
  for (std::int64_t i = 0; i < rows; ++i, gx += 3 * H, gh += 3 * H, h += H, rz += 2 * H, n += H, hn += H, out += H) {
    for (std::int64_t k = 0; k < 2 * H; ++k) rz[k] = T(1) / (T(1) + std::exp(-(gx[k] + gh[k])));
    for (std::int64_t k = 0; k < H; ++k) {
      hn[k] = gh[2 * H + k];
      n[k] = std::tanh(gx[2 * H + k] + rz[k] * hn[k]);
      out[k] = n[k] + rz[H + k] * (h[k] - n[k]);  // (1 - z) n + z h
    }
  }
}

// Step t of the backward pass: d is the gradient reaching the new state; it writes the
// gradients of the pre-activations, input side (dgx) and state side (dgh), and d z, the part of
// the previous state's gradient that bypasses W_h.
template <typename T>
void backward_gates(std::int64_t rows, std::int64_t H, const T* d, const T* h, const T* rz, const T* n, const T* hn,
                    T* dgx, T* dgh, T* dh_direct) {
  for (std::int64_t i = 0; i < rows;
       ++i, d += H, h += H, rz += 2 * H, n += H, hn += H, dgx += 3 * H, dgh += 3 * H, dh_direct += H)
    for (std::int64_t k = 0; k < H; ++k) {
      const T r = rz[k], z = rz[H + k];
      const T dn = d[k] * (T(1) - z) * (T(1) - n[k] * n[k]);
      const T dz = d[k] * (h[k] - n[k]) * z * (T(1) - z);
      const T dr = dn * hn[k] * r * (T(1) - r);
      dgx[k] = dgh[k] = dr;
      dgx[H + k] = dgh[H + k] = dz;
      dgx[2 * H + k] = dn;
      dgh[2 * H + k] = dn * r;
      dh_direct[k] = d[k] * z;
    }
}

// The recurrence over time-major inputs whose rows are sorted by length: step t updates rows
// [0, batch_sizes[t]). x: (T, B, D); h0: (B, H); row_product: (B, 3H), added at every step of a
// row, or empty for none (LibTorch 1.13's custom functions take no undefined inputs). Returns the
// states (T, B, H), 0 for rows past their sequence's end.
struct GruRecurrence : torch::autograd::Function<GruRecurrence> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& h0,
                               const torch::Tensor& w_ih, const torch::Tensor& w_hh, const torch::Tensor& b_ih,
                               const torch::Tensor& b_hh, const torch::Tensor& row_product,
                               std::vector<std::int64_t> batch_sizes) {
    const std::int64_t T = x.size(0), B = x.size(1), D = x.size(2), H = w_hh.size(1);
    // Every step's input products in one matrix product.
    const auto gx = torch::addmm(b_ih, x.reshape({T * B, D}), w_ih.t()).view({T, B, 3 * H});
    const bool per_row = row_product.numel() > 0;
    if (per_row) gx.add_(row_product.unsqueeze(0));
    ctx->saved_data["row_product"] = per_row;
    const auto start = h0.contiguous();
    auto states = torch::zeros({T, B, H}, x.options());
    auto rz = torch::empty({T, B, 2 * H}, x.options());  // the gates r and z
    auto n = torch::empty({T, B, H}, x.options());       // the candidate state
    auto hn = torch::empty({T, B, H}, x.options());      // W_hn h + b_hn
    const auto w_hh_t = w_hh.t();
    for (std::int64_t t = 0; t < T; ++t) {
      const std::int64_t b = batch_sizes[static_cast<std::size_t>(t)];
      const auto h = (t == 0 ? start : states[t - 1]).narrow(0, 0, b);
      const auto gh = torch::addmm(b_hh, h, w_hh_t);
      AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "gru forward", [&] {
        forward_gates<scalar_t>(b, H, gx[t].data_ptr<scalar_t>(), gh.data_ptr<scalar_t>(), h.data_ptr<scalar_t>(),
                                rz[t].data_ptr<scalar_t>(), n[t].data_ptr<scalar_t>(), hn[t].data_ptr<scalar_t>(),
                                states[t].data_ptr<scalar_t>());
      });
    }
    ctx->save_for_backward({x, start, w_ih, w_hh, states, rz, n, hn});
    ctx->saved_data["batch_sizes"] = batch_sizes;
    return states;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &h0 = saved[1], &w_ih = saved[2], &w_hh = saved[3], &states = saved[4], &rz = saved[5],
               &n = saved[6], &hn = saved[7];
    const auto batch_sizes = ctx->saved_data["batch_sizes"].toIntVector();
    const std::int64_t T = x.size(0), B = x.size(1), D = x.size(2), H = w_hh.size(1);
    const auto grad_states = grad_outputs[0].defined() ? grad_outputs[0].contiguous() : torch::zeros_like(states);
    auto dh = torch::zeros({B, H}, x.options());  // the gradient reaching each row's current state
    auto d = torch::empty({B, H}, x.options());
    auto dgx = torch::zeros({T, B, 3 * H}, x.options());  // d(pre-activations), input side
    auto dgh = torch::zeros({T, B, 3 * H}, x.options());  // d(pre-activations), state side
    for (std::int64_t t = T - 1; t >= 0; --t) {
      const std::int64_t b = batch_sizes[static_cast<std::size_t>(t)];
      auto d_t = d.narrow(0, 0, b), dh_t = dh.narrow(0, 0, b);
      torch::add_out(d_t, dh_t, grad_states[t].narrow(0, 0, b));
      const auto h = (t == 0 ? h0 : states[t - 1]).narrow(0, 0, b);
      AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "gru backward", [&] {
        backward_gates<scalar_t>(b, H, d_t.data_ptr<scalar_t>(), h.data_ptr<scalar_t>(), rz[t].data_ptr<scalar_t>(),
                                 n[t].data_ptr<scalar_t>(), hn[t].data_ptr<scalar_t>(), dgx[t].data_ptr<scalar_t>(),
                                 dgh[t].data_ptr<scalar_t>(), dh_t.data_ptr<scalar_t>());
      });
      dh_t.addmm_(dgh[t].narrow(0, 0, b), w_hh);  // + dgh W_h: the state's part through W_h h
    }
    const auto previous = torch::cat({h0.unsqueeze(0), states.narrow(0, 0, T - 1)}, 0).view({T * B, H});
    const auto dgx_rows = dgx.view({T * B, 3 * H}), dgh_rows = dgh.view({T * B, 3 * H});
    return {dgx_rows.mm(w_ih).view({T, B, D}),
            dh,
            dgx_rows.t().mm(x.reshape({T * B, D})),
            dgh_rows.t().mm(previous),
            dgx_rows.sum(0),
            dgh_rows.sum(0),
            ctx->saved_data["row_product"].toBool() ? dgx.sum(0) : torch::Tensor(),
            torch::Tensor()};
  }
};

}  // namespace

GruImpl::GruImpl(const GruOptions& options) : options_(options) {
  detail::check_at_least(options.input_dim, 1, "gru", "input_dim");
  detail::check_at_least(options.hidden_dim, 1, "gru", "hidden_dim");
  const std::int64_t D = options.input_dim, H = options.hidden_dim;
  // torch::nn::GRU's order and initialisation: uniform in ±1/sqrt(H).
  const double bound = 1.0 / std::sqrt(static_cast<double>(H));
  auto parameter = [&](const char* name, std::vector<std::int64_t> shape) {
    return register_parameter(name, torch::empty(shape).uniform_(-bound, bound));
  };
  weight_ih_l0 = parameter("weight_ih_l0", {3 * H, D});
  weight_hh_l0 = parameter("weight_hh_l0", {3 * H, H});
  bias_ih_l0 = parameter("bias_ih_l0", {3 * H});
  bias_hh_l0 = parameter("bias_hh_l0", {3 * H});
  if (options.bidirectional) {
    weight_ih_l0_reverse = parameter("weight_ih_l0_reverse", {3 * H, D});
    weight_hh_l0_reverse = parameter("weight_hh_l0_reverse", {3 * H, H});
    bias_ih_l0_reverse = parameter("bias_ih_l0_reverse", {3 * H});
    bias_hh_l0_reverse = parameter("bias_hh_l0_reverse", {3 * H});
  }
}

GruOutput GruImpl::forward(const torch::Tensor& x, const torch::Tensor& lengths, const torch::Tensor& h0,
                           bool with_states, const torch::Tensor& constant_input) {
  const std::string where = "gru";
  const std::int64_t C = constant_input.defined() && constant_input.dim() > 0 ? constant_input.size(-1) : 0;
  const std::int64_t X = options_.input_dim - C;
  if (!(x.defined() && x.is_floating_point() && x.dim() == 3 && x.size(2) == X))
    throw Error(ErrorCode::Shape,
                where + ": x must be floating-point (B, T, " + std::to_string(X) + "), got " + detail::shape_string(x));
  const std::int64_t B = x.size(0), T = x.size(1), H = options_.hidden_dim;
  if (constant_input.defined() &&
      !(constant_input.dim() == 2 && constant_input.size(0) == B && C < options_.input_dim &&
        constant_input.scalar_type() == x.scalar_type() && constant_input.device() == x.device()))
    throw Error(ErrorCode::Shape, where + ": constant_input must be (" + std::to_string(B) + ", C) with C < " +
                                      std::to_string(options_.input_dim) + ", of x's type and device, got " +
                                      detail::shape_string(constant_input));
  const std::int64_t directions = options_.bidirectional ? 2 : 1;
  if (!(lengths.defined() && lengths.dim() == 1 && lengths.size(0) == B && !lengths.is_floating_point()))
    throw Error(ErrorCode::Shape, where + ": lengths must hold " + std::to_string(B) + " integer lengths");
  if (h0.defined() && !(h0.dim() == 3 && h0.size(0) == directions && h0.size(1) == B && h0.size(2) == H))
    throw Error(ErrorCode::Shape, where + ": h0 must be (" + std::to_string(directions) + ", " + std::to_string(B) +
                                      ", " + std::to_string(H) + "), got " + detail::shape_string(h0));
  const auto len_tensor = lengths.to(torch::kCPU, torch::kInt64).contiguous();
  const std::int64_t* len = len_tensor.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < B; ++i)
    if (len[i] < 1 || len[i] > T)
      throw Error(ErrorCode::InvalidArgument, where + ": sequence " + std::to_string(i) + " has length " +
                                                  std::to_string(len[i]) + ", outside 1.." + std::to_string(T));
  if (B == 0) return {torch::zeros({0, T, directions * H}, x.options()), torch::zeros({directions, 0, H}, x.options())};

  // Rows sorted by length, longest first: step t updates the first batch_sizes[t] of them.
  std::vector<std::int64_t> order(static_cast<std::size_t>(B)), position(static_cast<std::size_t>(B));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) { return len[a] > len[b]; });
  for (std::int64_t j = 0; j < B; ++j) position[static_cast<std::size_t>(order[static_cast<std::size_t>(j)])] = j;
  const std::int64_t steps = len[order[0]];
  std::vector<std::int64_t> batch_sizes(static_cast<std::size_t>(steps));
  for (std::int64_t t = 0; t < steps; ++t)
    batch_sizes[static_cast<std::size_t>(t)] = std::count_if(len, len + B, [&](std::int64_t l) { return l > t; });

  const auto long_cpu = torch::TensorOptions().dtype(torch::kInt64);
  const auto device = x.device();
  const auto to_index = [&](const std::vector<std::int64_t>& v) { return torch::tensor(v, long_cpu).to(device); };
  // x's rows, flattened, with a row of zeros at B * T for the steps past a sequence's end.
  const auto x_rows = torch::cat({x.reshape({B * T, X}), torch::zeros({1, X}, x.options())});
  std::vector<std::int64_t> last(static_cast<std::size_t>(B));
  for (std::int64_t j = 0; j < B; ++j)
    last[static_cast<std::size_t>(j)] = (len[order[static_cast<std::size_t>(j)]] - 1) * B + j;
  const auto last_index = to_index(last), unsort_index = to_index(position), order_index = to_index(order);

  std::vector<torch::Tensor> states, finals;
  for (std::int64_t d = 0; d < directions; ++d) {
    const bool reverse = d == 1;
    // Time-major, sorted input: step t of sorted row j reads token t (or, reading backward, token len - 1 - t).
    std::vector<std::int64_t> source(static_cast<std::size_t>(steps * B));
    for (std::int64_t t = 0; t < steps; ++t)
      for (std::int64_t j = 0; j < B; ++j) {
        const std::int64_t row = order[static_cast<std::size_t>(j)], l = len[row];
        source[static_cast<std::size_t>(t * B + j)] = t < l ? row * T + (reverse ? l - 1 - t : t) : B * T;
      }
    const auto x_steps = x_rows.index_select(0, to_index(source)).view({steps, B, X});
    const auto start = h0.defined() ? h0[d].index_select(0, order_index) : torch::zeros({B, H}, x.options());
    const auto& w_ih = reverse ? weight_ih_l0_reverse : weight_ih_l0;
    // The constant inputs' product, once per row rather than once per step.
    const auto row_product = C > 0 ? constant_input.index_select(0, order_index).mm(w_ih.narrow(1, X, C).t())
                                   : torch::empty({0}, x.options());
    const auto recurrence = GruRecurrence::apply(
        x_steps, start, C > 0 ? w_ih.narrow(1, 0, X) : w_ih, reverse ? weight_hh_l0_reverse : weight_hh_l0,
        reverse ? bias_ih_l0_reverse : bias_ih_l0, reverse ? bias_hh_l0_reverse : bias_hh_l0, row_product, batch_sizes);
    const auto step_rows = recurrence.view({steps * B, H});
    finals.push_back(step_rows.index_select(0, last_index).index_select(0, unsort_index));
    if (!with_states) continue;
    // Back to (B, T): token τ of row i was step τ (or len - 1 - τ) of sorted row position[i].
    std::vector<std::int64_t> target(static_cast<std::size_t>(B * T));
    for (std::int64_t i = 0; i < B; ++i)
      for (std::int64_t tau = 0; tau < T; ++tau) {
        const std::int64_t l = len[i], step = reverse ? l - 1 - tau : tau;
        target[static_cast<std::size_t>(i * T + tau)] =
            tau < l ? step * B + position[static_cast<std::size_t>(i)] : steps * B;
      }
    const auto padded = torch::cat({step_rows, torch::zeros({1, H}, x.options())});
    states.push_back(padded.index_select(0, to_index(target)).view({B, T, H}));
  }
  return {with_states ? torch::cat(states, 2) : torch::Tensor(), torch::stack(finals, 0)};
}

torch::Tensor GruImpl::step(const torch::Tensor& x, const torch::Tensor& h) {
  const std::int64_t H = options_.hidden_dim;
  detail::check_matrix(x, "gru step", "x", options_.input_dim);
  detail::check_matrix(h, "gru step", "h", H, x.size(0));
  const auto gx = torch::addmm(bias_ih_l0, x, weight_ih_l0.t());
  const auto gh = torch::addmm(bias_hh_l0, h, weight_hh_l0.t());
  const auto rz = torch::sigmoid(gx.narrow(1, 0, 2 * H) + gh.narrow(1, 0, 2 * H));
  const auto n = torch::tanh(gx.narrow(1, 2 * H, H) + rz.narrow(1, 0, H) * gh.narrow(1, 2 * H, H));
  return n + rz.narrow(1, H, H) * (h - n);
}

}  // namespace gxn
