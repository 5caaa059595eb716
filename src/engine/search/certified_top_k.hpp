#pragma once
// Exact top-k of s* through an integer pass that certifies most candidates out. Internal to
// gxn::engine; OrderScorer::top_images/top_texts take this path where it applies.
//
// Every λ-scaled value x̃ gets a code c = clamp(round(x̃ / Δ), 0, C) with one step Δ for all
// rows (C: 11 bits at D = 256, 10 at D = 1024, so that sums of squares fit 32 bits), and each row
// the norm e of its residual x̃ − Δ·c. ‖max(0, ·)‖ is 1-Lipschitz, so
// the true distance δ = √(−s*(t, v)) = ‖max(0, ṽ − t̃)‖ lies within e_v + e_t of Δ·‖max(0, c_v − c_t)‖,
// which the 16-bit kernel gives exactly. A query's k-th smallest upper bound T caps its k-th best
// δ; a candidate whose lower bound exceeds T (widened by fp32's rounding of the sum) cannot be
// in the top-k. The rest are rescored in fp32 exactly as the fp32 kernel scores them, so the
// result is the fp32 path's, index for index and bit for bit.
#include <cstdint>
#include <optional>

#include "gxn/engine/cpu.hpp"
#include "gxn/engine/matrix.hpp"
#include "gxn/engine/search/topk.hpp"

namespace gxn::detail {

// Whether the integer pass is worth running (and can run) for these sizes with this kernel.
bool certified_top_k_applies(Isa isa, std::int64_t queries, std::int64_t candidates, std::int64_t k);

// The k best candidates per query (image_rows: the queries are images, the candidates captions),
// as the fp32 top-k gives them; nullopt when the bounds are too loose to pay (values of very
// different magnitudes), and the caller runs the fp32 path. Inputs are checked already.
std::optional<TopK> certified_top_k(bool image_rows, const MatrixView& queries, const MatrixView& candidates,
                                    std::int64_t k, float lambda, int threads);

}  // namespace gxn::detail
