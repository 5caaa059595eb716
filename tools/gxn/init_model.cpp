// `gxn init-model`: a model with random weights and the vocabulary of a dataset's training
// split. It encodes like a trained one (badly): for checking a pipeline end to end before
// training, and for tests.
#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "command.hpp"
#include "gxn/engine/data/karpathy_dataset.hpp"
#include "gxn/engine/text/tokenizer.hpp"
#include "gxn/engine/text/vocabulary.hpp"
#include "gxn/model/model_file.hpp"
#include "text_lines.hpp"

namespace gxn::cli {
namespace {

struct InitModelArgs {
  std::string data;
  std::string out;
  std::string config;
  std::string backbone;
  std::int64_t feature_dim = 0;
  std::int64_t embed_dim = 0;
  std::int64_t word_dim = 0;
  std::int64_t hidden_dim = 0;
  std::int64_t min_count = Vocabulary::default_min_count;
  std::int64_t seed = 1;
};

// The training split's captions, tokenised, from either dataset layout (evaluation_split.hpp).
std::vector<std::vector<std::string>> training_tokens(const std::string& dir, bool& precomputed) {
  std::vector<std::vector<std::string>> tokens;
  std::ifstream json(dir + "/dataset.json");
  precomputed = !json;
  if (!precomputed) {
    for (const CaptionedImage& image : read_karpathy_dataset(dir + "/dataset.json").images)
      if (image.split == "train")
        for (const std::string& caption : image.captions) tokens.push_back(tokenize(caption));
  } else {
    for (const std::string& caption : read_lines(dir + "/train_caps.txt", "caption"))
      tokens.push_back(tokenize(caption));
  }
  if (tokens.empty()) throw Error(ErrorCode::InvalidArgument, dir + ": the train split has no captions");
  return tokens;
}

void run_init_model(const InitModelArgs& args) {
  ModelConfig config;
  if (!args.config.empty()) {
    std::ifstream in(args.config, std::ios::binary);
    if (!in) throw Error(ErrorCode::NotFound, args.config + ": cannot open the config file");
    std::stringstream text;
    text << in.rdbuf();
    config = model_config_from_json(text.str(), args.config);
  }
  bool precomputed = false;
  const Vocabulary vocabulary = Vocabulary::build(training_tokens(args.data, precomputed), args.min_count);
  if (!args.backbone.empty())
    config.image.backbone = parse_backbone(args.backbone);
  else if (args.config.empty())
    config.image.backbone = precomputed ? Backbone::Precomp : Backbone::CnnSmall;
  if (precomputed != (config.image.backbone == Backbone::Precomp))
    throw Error(ErrorCode::InvalidArgument, args.data +
                                                (precomputed ? " holds precomputed features" : " holds images") +
                                                " but the backbone is " + to_string(config.image.backbone));
  if (args.feature_dim > 0) config.image.feature_dim = args.feature_dim;
  if (args.embed_dim > 0) config.embed_dim = args.embed_dim;
  if (args.word_dim > 0) config.text.word_dim = args.word_dim;
  if (args.hidden_dim > 0) config.text.hidden_dim = args.hidden_dim;
  config.text.vocab_size = vocabulary.size();
  validate(config);

  torch::manual_seed(static_cast<std::uint64_t>(args.seed));
  GxnModel model(config);
  model->load_pretrained(vocabulary.words());
  model->eval();
  save_model(args.out, model, vocabulary.words());
  std::printf("wrote an untrained %s model (%lld words, common space %lld) to %s\n", to_string(config.image.backbone),
              static_cast<long long>(vocabulary.size()), static_cast<long long>(config.embed_dim), args.out.c_str());
}

void add_init_model(CLI::App& gxn) {
  auto args = std::make_shared<InitModelArgs>();
  CLI::App* cmd = gxn.add_subcommand(
      "init-model",
      "Write a model with random weights and the vocabulary of a dataset's train split (to check a pipeline "
      "before training)");
  cmd->add_option("--data", args->data,
                  "a dataset folder: DIR/dataset.json (images; backbone cnn-small by default) or DIR/train_caps.txt "
                  "(precomputed features; backbone precomp)")
      ->required();
  cmd->add_option("--out", args->out, "the model file to write (.gxn)")->required();
  cmd->add_option("--config", args->config, "a model config JSON file (the options below override it)");
  cmd->add_option("--backbone", args->backbone, "precomp, cnn-small, resnet152, vgg19 or torchscript");
  cmd->add_option("--feature-dim", args->feature_dim, "precomp: the size of a feature vector (default 2048)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--embed-dim", args->embed_dim, "size of the common space (default 1024)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--word-dim", args->word_dim, "word embedding size (default 300)")->check(CLI::PositiveNumber);
  cmd->add_option("--hidden-dim", args->hidden_dim, "GRU size (default 1024)")->check(CLI::PositiveNumber);
  cmd->add_option("--min-count", args->min_count, "words seen fewer times in training captions become <unk>")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", args->seed, "random seed of the weights")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->callback([args] { run_init_model(*args); });
}

}  // namespace

GXN_COMMAND(add_init_model);

}  // namespace gxn::cli
