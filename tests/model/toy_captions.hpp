#pragma once
// A tiny precomputed-feature dataset the embedding path can learn in a second: every image is
// a combination of colour, shape and size; its feature vector holds those attributes one-hot
// (plus noise) and its five captions say them in five phrasings. Written in the VSE++ layout.
#include <cmath>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gxn/engine/io/npy.hpp"
#include "gxn/model/train_config.hpp"

namespace toy {

inline const std::vector<std::string> kColours{"red", "green", "blue", "yellow"};
inline const std::vector<std::string> kShapes{"circle", "square", "triangle", "star"};
inline const std::vector<std::string> kSizes{"small", "large"};
constexpr std::int64_t kFeatureDim = 16;

struct Item {
  int colour, shape, size;
};

// The five captions of an item.
inline std::vector<std::string> captions(const Item& it) {
  const std::string& c = kColours[it.colour];
  const std::string& s = kShapes[it.shape];
  const std::string& z = kSizes[it.size];
  return {"a " + z + " " + c + " " + s, "the " + s + " is " + c + " and " + z, "one " + z + " " + s + " , " + c,
          "there is a " + c + " " + s + " that is " + z, "a " + c + " " + s + " , " + z};
}

// Items `first`.. of the 32 combinations, cycling; features one-hot + Gaussian noise.
inline void write_split(const std::string& dir, const std::string& split, int first, int count, unsigned seed,
                        float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.1f);
  std::vector<float> features;
  std::ofstream caps(dir + "/" + split + "_caps.txt");
  for (int i = 0; i < count; ++i) {
    const int k = (first + i) % 32;
    const Item it{k % 4, (k / 4) % 4, k / 16};
    std::vector<float> f(kFeatureDim);
    for (auto& v : f) v = noise(rng);
    f[it.colour] += 1.0f;
    f[4 + it.shape] += 1.0f;
    f[8 + it.size] += 1.0f;
    for (auto& v : f) v *= scale;
    features.insert(features.end(), f.begin(), f.end());
    for (const auto& c : captions(it)) caps << c << "\n";
  }
  gxn::write_npy(dir + "/" + split + "_ims.npy", {count, kFeatureDim}, features.data());
}

// train: all 32 combinations; val: 16 of them with fresh noise.
inline void write_dataset(const std::string& dir) {
  write_split(dir, "train", 0, 32, 1);
  write_split(dir, "val", 0, 16, 2);
}

// A small, fast configuration for that data.
inline gxn::TrainConfig config(const std::string& data_dir, const std::string& out_dir) {
  gxn::TrainConfig c;
  c.model.image.backbone = gxn::Backbone::Precomp;
  c.model.image.feature_dim = kFeatureDim;
  c.model.text.word_dim = 16;
  c.model.text.hidden_dim = 32;
  c.model.embed_dim = 32;
  c.run.data_dir = data_dir;
  c.run.out_dir = out_dir;
  c.run.epochs = 2;
  c.batch_size = 32;
  c.learning_rate = 2e-3;
  c.min_word_count = 1;
  c.run.threads = 1;
  c.run.quiet = true;
  return c;
}

}  // namespace toy
