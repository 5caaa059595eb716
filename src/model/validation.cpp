#include "gxn/model/validation.hpp"

#include <functional>

#include "gxn/error.hpp"
#include "scoped_state.hpp"
#include "tensor_view.hpp"

namespace gxn {
namespace {

constexpr std::int64_t kEvalBatch = 256;

// [first, first + kEvalBatch) ∩ [0, count)
std::vector<std::int64_t> batch_rows(std::int64_t first, std::int64_t count) {
  std::vector<std::int64_t> rows;
  for (std::int64_t i = first; i < std::min(count, first + kEvalBatch); ++i) rows.push_back(i);
  return rows;
}

// Rows ⟨x_h, x_l⟩ of `count` items encoded batch by batch, as one CPU float tensor.
torch::Tensor embedding_rows(std::int64_t count,
                             const std::function<Embeddings(const std::vector<std::int64_t>&)>& encode_rows) {
  std::vector<torch::Tensor> parts;
  for (std::int64_t first = 0; first < count; first += kEvalBatch) {
    const Embeddings e = encode_rows(batch_rows(first, count));
    parts.push_back(torch::cat({e.abstract, e.grounded}, 1).to(torch::kCPU, torch::kFloat32));
  }
  return torch::cat(parts, 0).contiguous();
}

}  // namespace

RetrievalMetrics evaluate_retrieval(GxnModel& model, CaptionDataset& data, const torch::Device& device, int threads) {
  if (!data.captions_encoded())
    throw Error(ErrorCode::InvalidArgument, "evaluate_retrieval: the captions of split " + data.split() +
                                                " are not encoded (CaptionDataset::encode_captions)");
  torch::Tensor images, texts;
  {
    detail::EvalModeScope eval_mode(*model);
    torch::NoGradGuard no_grad;
    images = embedding_rows(data.image_count(), [&](const std::vector<std::int64_t>& rows) {
      return model->encode_images(data.image_inputs(rows).to(device));
    });
    texts = embedding_rows(data.caption_count(), [&](const std::vector<std::int64_t>& rows) {
      const CaptionTensors c = data.caption_inputs(rows);
      return model->encode_texts(c.ids.to(device), c.lengths);
    });
  }
  ScoreOptions options;
  options.lambda = static_cast<float>(model->config().lambda);
  options.threads = threads;
  const MatrixView image_view = as_view(images, "image embeddings");
  const MatrixView text_view = as_view(texts, "caption embeddings");
  check_finite(image_view, ("the image embeddings of split " + data.split()).c_str());
  check_finite(text_view, ("the caption embeddings of split " + data.split()).c_str());
  return evaluate_embeddings(image_view, text_view, options, EvalProtocol::All);
}

CaptionMetrics evaluate_captioning(GxnModel& model, CaptionDataset& data, const Vocabulary& vocabulary,
                                   const DecodeOptions& decode, const torch::Device& device) {
  if (!model->has_decoder())
    throw Error(ErrorCode::InvalidArgument,
                "evaluate_captioning: the model has no caption decoder (train the i2t path)");
  std::vector<Tokens> hypotheses;
  hypotheses.reserve(static_cast<std::size_t>(data.image_count()));
  for (std::int64_t first = 0; first < data.image_count(); first += kEvalBatch) {
    const DecodedCaptions captions =
        model->caption_images(data.image_inputs(batch_rows(first, data.image_count())).to(device), decode);
    for (const auto& ids : captions.ids) hypotheses.push_back(vocabulary.decode(ids));
  }
  return evaluate_captions(hypotheses, data.reference_tokens());
}

}  // namespace gxn
