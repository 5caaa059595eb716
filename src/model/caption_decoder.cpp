#include "gxn/model/caption_decoder.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "gxn/engine/text/vocabulary.hpp"
#include "gxn/error.hpp"
#include "random_draws.hpp"
#include "tensor_checks.hpp"

namespace gxn {

namespace nn = torch::nn;

namespace {

constexpr std::int64_t kPad = Vocabulary::pad_id;
constexpr std::int64_t kStart = Vocabulary::start_id;
constexpr std::int64_t kEnd = Vocabulary::end_id;
constexpr double kMinusInf = -std::numeric_limits<double>::infinity();

void require_positive(std::int64_t value, const char* name, std::int64_t minimum = 1) {
  if (value < minimum)
    throw Error(ErrorCode::InvalidArgument, std::string("caption decoder: ") + name + " = " + std::to_string(value) +
                                                ", must be at least " + std::to_string(minimum));
}

void check_decode_options(const DecodeOptions& options) {
  if (options.max_length < 1)
    throw Error(ErrorCode::InvalidArgument,
                "decode: max_length = " + std::to_string(options.max_length) + ", must be at least 1 word");
  if (options.beam_size < 1)
    throw Error(ErrorCode::InvalidArgument,
                "decode: beam_size = " + std::to_string(options.beam_size) + ", must be at least 1");
  if (!(options.temperature > 0) || !std::isfinite(options.temperature))
    throw Error(ErrorCode::InvalidArgument,
                "decode: temperature = " + std::to_string(options.temperature) + ", must be a finite number > 0");
}

// Logits with the tokens a caption can never continue with removed (-inf). The model is one
// distribution over what can come next, the same for teacher forcing, decoding and the
// self-critical gradient: were <pad> and <start> kept in the softmax that the policy gradient
// differentiates but left out of sampling, every step with a negative advantage would push
// their logits up (Adam at full step size), and CIDEr-D training collapsed on it.
torch::Tensor without_pad_and_start(const torch::Tensor& scores) {
  return scores.index_fill(-1, torch::tensor({kPad, kStart}, torch::kInt64).to(scores.device()), kMinusInf);
}

// Rows of tokens (B, T), each a caption's continuation, cut at the first <end> or <pad>.
std::vector<std::vector<std::int64_t>> words_of(const torch::Tensor& tokens) {
  const auto t = tokens.to(torch::kCPU, torch::kInt64).contiguous();
  const std::int64_t rows = t.size(0), cols = t.size(1);
  const std::int64_t* p = t.data_ptr<std::int64_t>();
  std::vector<std::vector<std::int64_t>> words(static_cast<std::size_t>(rows));
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) {
      const std::int64_t id = p[r * cols + c];
      if (id == kEnd || id == kPad) break;
      words[static_cast<std::size_t>(r)].push_back(id);
    }
  return words;
}

}  // namespace

CaptionDecoderImpl::CaptionDecoderImpl(const CaptionDecoderOptions& options) : options_(options) {
  require_positive(options_.vocab_size, "vocab_size", 4);  // the special tokens and at least <unk>
  require_positive(options_.embed_dim, "embed_dim");
  require_positive(options_.word_dim, "word_dim");
  require_positive(options_.hidden_dim, "hidden_dim");
  init_state = register_module("init_state", nn::Linear(options_.embed_dim, options_.hidden_dim));
  word_embedding = register_module("word_embedding", nn::Embedding(options_.vocab_size, options_.word_dim));
  nn::init::uniform_(word_embedding->weight, -0.1, 0.1);
  // Each step reads the previous word and the image: v_l at every step, not only through h0.
  rnn = register_module("rnn", Gru(GruOptions{options_.word_dim + options_.embed_dim, options_.hidden_dim, false}));
  output = register_module("output", nn::Linear(options_.hidden_dim, options_.vocab_size));
  image_mean = register_buffer("image_mean", torch::zeros({options_.embed_dim}));
  image_variance = register_buffer("image_variance", torch::ones({options_.embed_dim}));
}

void CaptionDecoderImpl::track_image_statistics(const torch::Tensor& v_l, double momentum) {
  check_image_embeddings(v_l);
  if (v_l.size(0) < 2)
    throw Error(ErrorCode::InvalidArgument,
                "caption decoder: image statistics need at least 2 rows of v_l, got " + std::to_string(v_l.size(0)));
  if (!(momentum > 0 && momentum <= 1))
    throw Error(ErrorCode::InvalidArgument,
                "caption decoder: momentum = " + std::to_string(momentum) + ", must be in (0, 1]");
  torch::NoGradGuard no_grad;
  const auto rows = v_l.detach().to(image_mean.dtype());
  image_mean.mul_(1 - momentum).add_(rows.mean(0), momentum);
  image_variance.mul_(1 - momentum).add_(rows.var(0, /*unbiased=*/true), momentum);
}

void CaptionDecoderImpl::check_image_embeddings(const torch::Tensor& v_l) const {
  if (!v_l.defined() || v_l.dim() != 2 || v_l.size(1) != options_.embed_dim || !v_l.is_floating_point())
    throw Error(ErrorCode::Shape, "caption decoder: v_l must be (B, " + std::to_string(options_.embed_dim) +
                                      ") floating point, got " + detail::shape_and_type(v_l));
}

torch::Tensor CaptionDecoderImpl::standardised(const torch::Tensor& v_l) const {
  return (v_l - image_mean) * torch::rsqrt(image_variance + 1e-5);
}

torch::Tensor CaptionDecoderImpl::step(const torch::Tensor& tokens, const torch::Tensor& image, torch::Tensor& state) {
  state = rnn->step(torch::cat({word_embedding(tokens), image}, 1), state);
  return without_pad_and_start(output(state));
}

torch::Tensor CaptionDecoderImpl::forward(const torch::Tensor& v_l, const torch::Tensor& ids,
                                          const torch::Tensor& lengths) {
  check_image_embeddings(v_l);
  if (!ids.defined() || ids.dim() != 2 || ids.scalar_type() != torch::kInt64) {
    throw Error(ErrorCode::Shape,
                "caption decoder: ids must be (B, L) int64 token ids, got " + detail::shape_and_type(ids));
  }
  const std::int64_t batch = ids.size(0), max_len = ids.size(1);
  if (v_l.size(0) != batch)
    throw Error(ErrorCode::Shape, "caption decoder: v_l has " + std::to_string(v_l.size(0)) + " rows but ids has " +
                                      std::to_string(batch) + " captions");
  if (!lengths.defined() || lengths.dim() != 1 || lengths.size(0) != batch || lengths.is_floating_point())
    throw Error(ErrorCode::Shape,
                "caption decoder: lengths must hold " + std::to_string(batch) + " integer lengths, one per caption");
  if (batch == 0) return torch::empty({0, std::max<std::int64_t>(max_len - 1, 0), options_.vocab_size}, v_l.options());
  const auto len = lengths.to(torch::kCPU, torch::kInt64).contiguous();
  const std::int64_t* l = len.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < batch; ++i)
    if (l[i] < 2 || l[i] > max_len)
      throw Error(ErrorCode::InvalidArgument, "caption decoder: caption " + std::to_string(i) + " has length " +
                                                  std::to_string(l[i]) + ", outside 2.." + std::to_string(max_len) +
                                                  " (<start> and <end> count)");
  const auto bad = ids.lt(0).logical_or(ids.ge(options_.vocab_size));
  if (bad.any().item<bool>()) {
    const auto where = bad.nonzero()[0];
    const std::int64_t row = where[0].item<std::int64_t>(), col = where[1].item<std::int64_t>();
    throw Error(ErrorCode::InvalidArgument,
                "caption decoder: caption " + std::to_string(row) + ", position " + std::to_string(col) +
                    ": token id " + std::to_string(ids[row][col].item<std::int64_t>()) +
                    " is outside the vocabulary (0.." + std::to_string(options_.vocab_size - 1) + ")");
  }
  // Inputs are <start> w1 .. wn (length - 1 tokens); the <end> is only ever a target.
  const auto image = standardised(v_l);
  const auto words = word_embedding(ids.narrow(1, 0, max_len - 1));
  const auto h0 = torch::tanh(init_state(image)).unsqueeze(0);
  // The image is the same input at every step: its product is taken once per caption.
  const auto hidden = rnn(words, len - 1, h0, /*with_states=*/true, /*constant_input=*/image).states;
  return without_pad_and_start(output(hidden));
}

namespace {

// log p of each real target token (B, L-1), 0 past a caption's end.
torch::Tensor target_log_probs(const torch::Tensor& logits, const torch::Tensor& ids, const torch::Tensor& lengths) {
  const std::int64_t steps = logits.size(1);
  const auto real =
      torch::arange(steps, ids.options()).unsqueeze(0).lt((lengths.to(ids.device(), torch::kInt64) - 1).unsqueeze(1));
  // Past the end any finite-probability token will do as the target: its value is masked out.
  const auto targets = ids.narrow(1, 1, steps).masked_fill(real.logical_not(), kEnd);
  const auto token_log_probs = torch::log_softmax(logits, 2).gather(2, targets.unsqueeze(2)).squeeze(2);
  return torch::where(real, token_log_probs, torch::zeros_like(token_log_probs));
}

}  // namespace

torch::Tensor CaptionDecoderImpl::log_likelihood(const torch::Tensor& v_l, const torch::Tensor& ids,
                                                 const torch::Tensor& lengths) {
  return target_log_probs(forward(v_l, ids, lengths), ids, lengths).sum(1);
}

torch::Tensor CaptionDecoderImpl::xe_loss(const torch::Tensor& v_l, const torch::Tensor& ids,
                                          const torch::Tensor& lengths) {
  const auto logits = forward(v_l, ids, lengths);
  const auto tokens = (lengths.to(torch::kCPU, torch::kInt64) - 1).sum().item<std::int64_t>();
  return -target_log_probs(logits, ids, lengths).sum() / static_cast<double>(std::max<std::int64_t>(tokens, 1));
}

DecodedCaptions CaptionDecoderImpl::decode(const torch::Tensor& v_l, const DecodeOptions& options) {
  check_image_embeddings(v_l);
  check_decode_options(options);
  if (v_l.size(0) == 0) return {{}, torch::zeros({0}, v_l.options())};
  if (options.mode == DecodeMode::Beam) return decode_beam(v_l, options);
  return decode_greedy_or_sample(v_l, options);
}

DecodedCaptions CaptionDecoderImpl::decode_greedy_or_sample(const torch::Tensor& v_l, const DecodeOptions& options) {
  const std::int64_t batch = v_l.size(0);
  const auto long_options = torch::TensorOptions().dtype(torch::kInt64).device(v_l.device());
  const auto image = standardised(v_l);
  auto state = torch::tanh(init_state(image));
  auto tokens = torch::full({batch}, kStart, long_options);
  auto running = torch::ones({batch}, long_options.dtype(torch::kBool));
  auto log_probs = torch::zeros({batch}, v_l.options());
  std::vector<torch::Tensor> chosen;
  for (std::int64_t t = 0; t < options.max_length; ++t) {
    const auto logits = step(tokens, image, state);
    const auto log_p = torch::log_softmax(logits, 1);
    torch::Tensor next;
    if (options.mode == DecodeMode::Greedy) {
      next = log_p.detach().argmax(1);
    } else {
      const auto probs = torch::softmax(logits.detach() / options.temperature, 1);
      next = detail::draw_categorical(probs, options.generator);
    }
    const auto next_log_p = log_p.gather(1, next.unsqueeze(1)).squeeze(1);
    log_probs = log_probs + torch::where(running, next_log_p, torch::zeros_like(next_log_p));
    next = torch::where(running, next, torch::full_like(next, kPad));  // finished captions stay finished
    chosen.push_back(next);
    running = running.logical_and(next.ne(kEnd));
    if (!running.any().item<bool>()) break;
    tokens = next;
  }
  return {words_of(torch::stack(chosen, 1)), log_probs};
}

DecodedCaptions CaptionDecoderImpl::decode_beam(const torch::Tensor& v_l, const DecodeOptions& options) {
  // Every image keeps `beam` hypotheses, scored by their summed log-probabilities. A finished
  // hypothesis (it chose <end>, or it is a placeholder with score -inf) continues with <pad> at
  // no cost, so it competes with the running ones on equal terms until the end.
  torch::NoGradGuard no_grad;
  const std::int64_t batch = v_l.size(0), beam = options.beam_size, vocab = options_.vocab_size;
  const auto long_options = torch::TensorOptions().dtype(torch::kInt64).device(v_l.device());
  const auto image = standardised(v_l).repeat_interleave(beam, 0);  // (B * beam, E), image-major
  auto state = torch::tanh(init_state(image));                      // (B * beam, H)
  auto tokens = torch::full({batch * beam}, kStart, long_options);
  // Only the first hypothesis is real at the start, so the first step expands one of them.
  auto scores = torch::full({batch, beam}, kMinusInf, v_l.options());
  scores.select(1, 0).fill_(0);
  auto finished = torch::zeros({batch, beam}, long_options.dtype(torch::kBool));
  auto history = torch::empty({batch, beam, 0}, long_options);
  const auto beam_offsets = (torch::arange(batch, long_options) * beam).unsqueeze(1);
  // A finished hypothesis' only continuation: <pad>, log-probability 0.
  auto pad_only = torch::full({vocab}, kMinusInf, v_l.options());
  pad_only[kPad] = 0;
  for (std::int64_t t = 0; t < options.max_length; ++t) {
    const auto log_p = torch::log_softmax(step(tokens, image, state), 1).view({batch, beam, vocab});
    const auto continuation = torch::where(finished.unsqueeze(2), pad_only.view({1, 1, vocab}), log_p);
    const auto best = (scores.unsqueeze(2) + continuation).view({batch, beam * vocab}).topk(beam, 1);
    scores = std::get<0>(best);
    const auto index = std::get<1>(best);
    const auto parent = index.div(vocab, "floor");
    const auto next = index.remainder(vocab);
    history = torch::cat(
        {history.gather(1, parent.unsqueeze(2).expand({batch, beam, history.size(2)})), next.unsqueeze(2)}, 2);
    finished = finished.gather(1, parent).logical_or(next.eq(kEnd)).logical_or(scores.eq(kMinusInf));
    state = state.index_select(0, (parent + beam_offsets).view(-1));
    tokens = next.view(-1);
    if (finished.all().item<bool>()) break;
  }
  // Hypotheses still running after max_length words are cut there, with the score they have.
  const auto winner = scores.argmax(1);
  const auto rows = torch::arange(batch, long_options);
  return {words_of(history.index({rows, winner})), scores.index({rows, winner})};
}

}  // namespace gxn
