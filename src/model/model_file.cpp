#include "gxn/model/model_file.hpp"

#include <torch/script.h>

#include <map>
#include <sstream>
#include <streambuf>

#include "gxn/error.hpp"
#include "model_sections.hpp"

namespace gxn {

constexpr char kModelFileMagic[] = "GXNMODEL";
namespace {

// A read-only, seekable std::istream over bytes held elsewhere (TorchScript reads zip files).
class MemoryBuffer : public std::streambuf {
 public:
  explicit MemoryBuffer(std::string_view bytes) {
    char* p = const_cast<char*>(bytes.data());
    setg(p, p, p + bytes.size());
  }

 protected:
  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode) override {
    char* base = dir == std::ios_base::beg ? eback() : dir == std::ios_base::cur ? gptr() : egptr();
    if (base + off < eback() || base + off > egptr()) return pos_type(off_type(-1));
    setg(eback(), base + off, egptr());
    return pos_type(gptr() - eback());
  }
  pos_type seekpos(pos_type pos, std::ios_base::openmode mode) override {
    return seekoff(off_type(pos), std::ios_base::beg, mode);
  }
};

std::string join_lines(const std::vector<std::string>& words, const std::string& path) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i].empty() || words[i].find_first_of("\r\n") != std::string::npos)
      throw Error(ErrorCode::InvalidArgument,
                  path + ": vocabulary word " + std::to_string(i) + " is empty or contains a line break");
    out += words[i];
    out += '\n';
  }
  return out;
}

std::vector<std::string> split_lines(std::string_view bytes) {
  std::vector<std::string> out;
  while (!bytes.empty()) {
    const auto end = bytes.find('\n');
    out.emplace_back(bytes.substr(0, end));
    bytes.remove_prefix(end == std::string_view::npos ? bytes.size() : end + 1);
  }
  return out;
}

const Section& require(const SectionFile& file, const std::string& name, const std::string& path) {
  if (const Section* s = file.find(name)) return *s;
  throw Error(ErrorCode::Format, path + ": damaged: no '" + name + "' section");
}

ModelFileInfo read_info(const SectionFile& file, const std::string& path) {
  ModelFileInfo info;
  info.version = file.version;
  info.fingerprint = file.fingerprint;
  info.config = model_config_from_json(std::string(require(file, "config", path).bytes), path + " (config section)");
  info.vocabulary = split_lines(require(file, "vocabulary", path).bytes);
  if (model_fingerprint(info.config) != file.fingerprint)
    throw Error(ErrorCode::Format, path + ": damaged: the header's fingerprint " + fingerprint_hex(file.fingerprint) +
                                       " does not match its config's " +
                                       fingerprint_hex(model_fingerprint(info.config)));
  if (static_cast<std::int64_t>(info.vocabulary.size()) != info.config.text.vocab_size)
    throw Error(ErrorCode::Format, path + ": damaged: " + std::to_string(info.vocabulary.size()) +
                                       " vocabulary words, the config says " +
                                       std::to_string(info.config.text.vocab_size));
  return info;
}

// Module::save with every tensor as a CPU copy (the tensor itself where it is on the CPU, so
// the bytes are the same whichever device the model is on): a model trained on a GPU loads on
// the CPU and back, whatever LibTorch reads it.
void save_on_cpu(const torch::nn::Module& module, torch::serialize::OutputArchive& archive) {
  const auto cpu = [](const torch::Tensor& t) {
    if (t.is_cpu()) return t;
    return t.detach().to(torch::kCPU).requires_grad_(t.requires_grad());
  };
  for (const auto& p : module.named_parameters(/*recurse=*/false)) archive.write(p.key(), cpu(p.value()));
  for (const auto& b : module.named_buffers(/*recurse=*/false))
    archive.write(b.key(), cpu(b.value()), /*is_buffer=*/true);
  for (const auto& child : module.named_children()) {
    if (!child.value()->is_serializable()) continue;
    torch::serialize::OutputArchive child_archive(archive.compilation_unit());
    save_on_cpu(*child.value(), child_archive);
    archive.write(child.key(), child_archive);
  }
}

// A floor on the weights a config implies, in bytes (float32): its largest matrices only, each
// at most what the modules hold. A file whose weights section is smaller cannot be a model of
// that config, and saying so before building the model means a crafted config (dims up to 2^16
// each) is refused without first allocating the terabytes it asks for.
double weight_bytes_floor(const ModelConfig& c) {
  const auto d = [](std::int64_t v) { return static_cast<double>(v); };
  const double vocab = d(c.text.vocab_size), embed = d(c.embed_dim);
  double floats = vocab * d(c.text.word_dim);                                              // word vectors
  floats += 2 * 3 * d(c.text.hidden_dim) * d(c.text.word_dim + c.text.hidden_dim);         // two GRUs
  floats += 2 * embed * d(c.text.hidden_dim) + 2 * embed * d(image_feature_dim(c.image));  // projections
  if (c.paths.i2t) {
    const double hidden = d(c.decoder.hidden_dim), word = d(c.decoder.word_dim);
    floats += vocab * word + 3 * hidden * (word + embed + hidden) + hidden * vocab;
  }
  if (c.paths.t2i) {
    const auto& g = c.generator;
    floats += d(g.noise_dim + g.condition_dim) * 8 * d(g.generator_channels) * 16 + embed * d(g.condition_dim);
  }
  return 4 * floats;
}

}  // namespace

ModelSections model_sections(GxnModel& model, const std::vector<std::string>& vocabulary, const std::string& path) {
  const ModelConfig& config = model->config();
  if (static_cast<std::int64_t>(vocabulary.size()) != config.text.vocab_size)
    throw Error(ErrorCode::InvalidArgument, path + ": the vocabulary has " + std::to_string(vocabulary.size()) +
                                                " words, the model " + std::to_string(config.text.vocab_size));
  ModelSections out;
  out.fingerprint = model->fingerprint();
  out.config = to_json(config);
  out.vocabulary = join_lines(vocabulary, path);
  {
    torch::serialize::OutputArchive archive;
    save_on_cpu(*model, archive);
    archive.save_to([&out](const void* data, std::size_t size) {
      out.weights.append(static_cast<const char*>(data), size);
      return size;
    });
  }
  if (const torch::jit::Module* scripted = model->image_encoder->scripted_module()) {
    std::ostringstream os;
    bool on_cpu = true;
    for (const auto& p : scripted->parameters()) on_cpu = on_cpu && p.is_cpu();
    for (const auto& b : scripted->buffers()) on_cpu = on_cpu && b.is_cpu();
    if (!on_cpu) {
      torch::jit::Module copy = scripted->deepcopy();  // saved from the CPU, as the weights above
      copy.to(torch::kCPU);
      copy.save(os);
    } else {
      scripted->save(os);
    }
    out.backbone = os.str();
  }
  return out;
}

void ModelSections::append_to(SectionFile& file) const {
  file.fingerprint = fingerprint;
  file.sections.push_back({"config", config});
  file.sections.push_back({"vocabulary", vocabulary});
  file.sections.push_back({"weights", weights});
  if (!backbone.empty()) file.sections.push_back({"backbone", backbone});
}

void save_model(const std::string& path, GxnModel& model, const std::vector<std::string>& vocabulary) {
  const ModelSections sections = model_sections(model, vocabulary, path);
  SectionFile file;
  file.version = kModelFileVersion;
  sections.append_to(file);
  write_section_file(path, kModelFileMagic, file);
}

ModelFileInfo read_model_info(const std::string& path) {
  return read_info(read_section_file(path, kModelFileMagic, kModelFileVersion, "gxn model"), path);
}

LoadedModel load_model(const std::string& path) {
  return model_from_sections(read_section_file(path, kModelFileMagic, kModelFileVersion, "gxn model"), path);
}

LoadedModel model_from_sections(const SectionFile& file, const std::string& path) {
  ModelFileInfo info = read_info(file, path);

  // Paths in the config are where the model came from; the file carries everything itself.
  ModelConfig config = info.config;
  std::optional<torch::jit::Module> scripted;
  if (config.image.backbone == Backbone::TorchScript) {
    const Section& s = require(file, "backbone", path);
    MemoryBuffer buffer(s.bytes);
    std::istream in(&buffer);
    try {
      scripted = torch::jit::load(in, torch::kCPU);
    } catch (const c10::Error& e) {
      throw Error(ErrorCode::Format,
                  path + ": damaged: its TorchScript backbone does not load (" + e.what_without_backtrace() + ")");
    }
  }
  const Section& weights = require(file, "weights", path);
  const double implied = weight_bytes_floor(config);
  if (implied > static_cast<double>(weights.bytes.size()))
    throw Error(ErrorCode::Format,
                path + ": damaged: its config implies at least " + std::to_string(static_cast<std::uint64_t>(implied)) +
                    " bytes of weights, its weights section holds " + std::to_string(weights.bytes.size()));
  GxnModel model(config, std::move(scripted));

  // Record the shapes the config implies: an archive read replaces tensors whole.
  std::map<std::string, std::vector<std::int64_t>> shapes;
  for (const auto& p : model->named_parameters()) shapes[p.key()] = p.value().sizes().vec();
  for (const auto& b : model->named_buffers()) shapes[b.key()] = b.value().sizes().vec();
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(weights.bytes.data(), weights.bytes.size(), torch::kCPU);
    model->load(archive);
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::Format, path + ": the weights do not fit its config (" + e.what_without_backtrace() + ")");
  }
  auto check = [&](const std::string& name, const torch::Tensor& t) {
    if (t.sizes().vec() != shapes.at(name))
      throw Error(ErrorCode::Format, path + ": the weights do not fit its config: '" + name + "' has the wrong shape");
  };
  for (const auto& p : model->named_parameters()) check(p.key(), p.value());
  for (const auto& b : model->named_buffers()) check(b.key(), b.value());
  model->eval();
  return {model, std::move(info.vocabulary)};
}

}  // namespace gxn
