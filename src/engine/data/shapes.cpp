#include "gxn/engine/data/shapes.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>

#include "common/splitmix64.hpp"
#include "shape_words.hpp"

namespace gxn {

namespace {

using Random = detail::SplitMix64;
using detail::kCellWords;
using detail::kColourWords;
using detail::kKindWords;
using detail::kSizeWords;
using detail::Words;

// ---- Geometry, in integer 1/8-pixel units ----------------------------------------------

constexpr int kUnits = 8;                       // sub-pixel units per pixel
constexpr int kCellCentre[3] = {85, 256, 427};  // 512 * (2k + 1) / 6, rounded
constexpr int kSamples = 4;                     // 4x4 samples per pixel

struct Point {
  std::int64_t x, y;
};

std::int64_t edge(Point a, Point b, Point p) { return (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x); }

bool in_triangle(Point p, Point a, Point b, Point c) {
  const std::int64_t d1 = edge(a, b, p), d2 = edge(b, c, p), d3 = edge(c, a, p);
  const bool has_negative = d1 < 0 || d2 < 0 || d3 < 0;
  const bool has_positive = d1 > 0 || d2 > 0 || d3 > 0;
  return !(has_negative && has_positive);
}

// Fixed-point unit vectors (x1024) at -90 + 36k degrees, y pointing down: a star's points.
constexpr int kStarCos[10] = {0, 602, 974, 974, 602, 0, -602, -974, -974, -602};
constexpr int kStarSin[10] = {-1024, -828, -316, 316, 828, 1024, 828, 316, -316, -828};

std::int64_t scale_1024(std::int64_t unit, std::int64_t length) {
  const std::int64_t v = unit * length;
  return v >= 0 ? (v + 512) / 1024 : -((-v + 512) / 1024);
}

// A shape's outline around its centre, worked out once per shape. Each kind's extent is set
// so that its area is close to that of a circle of the same radius.
class Outline {
 public:
  Outline(ShapeKind kind, std::int64_t r) : kind_(kind), r_(r) {
    if (kind == ShapeKind::Triangle) {
      // Pointing up, moved down a quarter of its radius so that it sits centred in its cell.
      const std::int64_t R = r * 7 / 5, shift = R / 4;
      points_[0] = {0, -R + shift};
      points_[1] = {scale_1024(887, R), R / 2 + shift};
      points_[2] = {-scale_1024(887, R), R / 2 + shift};
    } else if (kind == ShapeKind::Star) {
      const std::int64_t outer = r * 13 / 10, inner = outer * 45 / 100;
      for (int k = 0; k < 10; ++k) {
        const std::int64_t length = k % 2 == 0 ? outer : inner;
        points_[k] = {scale_1024(kStarCos[k], length), scale_1024(kStarSin[k], length)};
      }
    }
  }

  // Whether the point (x, y), relative to the centre, is inside.
  bool contains(std::int64_t x, std::int64_t y) const {
    const std::int64_t ax = x < 0 ? -x : x, ay = y < 0 ? -y : y;
    switch (kind_) {
      case ShapeKind::Circle: return x * x + y * y <= r_ * r_;
      case ShapeKind::Square: return ax <= r_ * 7 / 8 && ay <= r_ * 7 / 8;
      case ShapeKind::Diamond: return ax + ay <= r_ * 5 / 4;
      case ShapeKind::Cross: {
        const std::int64_t w = r_ * 2 / 5, l = r_ * 6 / 5;
        return (ax <= w && ay <= l) || (ay <= w && ax <= l);
      }
      case ShapeKind::Triangle: return in_triangle({x, y}, points_[0], points_[1], points_[2]);
      case ShapeKind::Star:
        // The star is the fan of triangles from its centre to consecutive points.
        for (int k = 0; k < 10; ++k)
          if (in_triangle({x, y}, {0, 0}, points_[k], points_[(k + 1) % 10])) return true;
        return false;
    }
    return false;
  }

 private:
  ShapeKind kind_;
  std::int64_t r_;
  Point points_[10] = {};
};

std::uint8_t clamp_byte(int v) { return static_cast<std::uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v); }

void check_scene(const ShapeScene& scene) {
  auto bad = [](const std::string& why) { return Error(ErrorCode::InvalidArgument, "shape scene: " + why); };
  if (scene.shapes.empty() || scene.shapes.size() > 3)
    throw bad(std::to_string(scene.shapes.size()) + " shapes (1 to 3 allowed)");
  bool used[kShapeCells] = {};
  for (const Shape& s : scene.shapes) {
    if (s.cell < 0 || s.cell >= kShapeCells) throw bad("cell " + std::to_string(s.cell) + " out of range [0, 9)");
    if (used[s.cell]) throw bad("cell " + std::to_string(s.cell) + " holds two shapes");
    used[s.cell] = true;
    if (static_cast<int>(s.kind) >= kShapeKinds || static_cast<int>(s.colour) >= kShapeColours ||
        static_cast<int>(s.size) > 1)
      throw bad("unknown kind, colour or size");
    if (std::abs(s.dx) > 4 || std::abs(s.dy) > 4) throw bad("offset beyond 4/8 pixel");
    if (s.radius < 8 || s.radius > 80) throw bad("radius " + std::to_string(s.radius) + " out of range [8, 80]");
    for (int c : s.shade)
      if (std::abs(c) > 12) throw bad("shade beyond 12");
  }
}

// ---- Words -----------------------------------------------------------------------------

const char* const kCountWords[4] = {"no", "one", "two", "three"};
constexpr int kTemplates = 8;

std::string with_article(const std::string& phrase) {
  const char c = phrase.empty() ? 'x' : phrase[0];
  const bool vowel = c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
  return (vowel ? "an " : "a ") + phrase;
}

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

// "x", "x and y", "x, y and z" (with `last` before the last item).
std::string joined(const std::vector<std::string>& items, const std::string& last = " and ") {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? last : ", ";
    out += items[i];
  }
  return out;
}

// The words one caption uses for one shape. Drawn field by field in a fixed order: the order
// in which C++ evaluates the operands of `a + b` is unspecified, and must not pick the words.
struct ShapeWords {
  std::string kind, colour, size, place, preposition, label;

  std::string noun_phrase() const { return with_article(size + " " + colour + " " + kind); }
  std::string located() const { return preposition + " " + place; }
};

class Describer {
 public:
  explicit Describer(std::uint64_t seed) : rng_(seed) {}

  std::string caption(int template_id, std::vector<Shape> shapes) {
    // Half the captions list shapes in reading order, half in a random one.
    if (rng_.below(2) == 0)
      std::sort(shapes.begin(), shapes.end(), [](const Shape& a, const Shape& b) { return a.cell < b.cell; });
    else
      rng_.shuffle(shapes);
    std::vector<ShapeWords> words;
    for (const Shape& s : shapes) words.push_back(draw(s));
    std::vector<std::string> parts;
    const std::string count = kCountWords[shapes.size()];
    switch (template_id) {
      case 0:  // "A large red circle in the top left and a small blue star at the bottom edge."
        for (const auto& w : words) parts.push_back(w.noun_phrase() + " " + w.located());
        return capitalised(joined(parts)) + ".";
      case 1:  // "There are two shapes: a ... and a ...."
        for (const auto& w : words) parts.push_back(w.noun_phrase() + " " + w.located());
        return shapes.size() == 1 ? "There is " + parts[0] + "."
                                  : "There are " + count + " shapes: " + joined(parts) + ".";
      case 2:  // "The top left has a big red disc and the center has a tiny blue star."
        for (const auto& w : words) parts.push_back(w.place + " has " + w.noun_phrase());
        return capitalised(joined(parts)) + ".";
      case 3: {  // "top-left: red disc, big; center: blue star, tiny"
        std::string out;
        for (const auto& w : words) {
          if (!out.empty()) out += "; ";
          out += w.label + ": " + w.colour + " " + w.kind + ", " + w.size;
        }
        return out;
      }
      case 4:  // "Two shapes on a dark background: ..."
        for (const auto& w : words) parts.push_back(w.noun_phrase() + " " + w.located());
        return capitalised(count) + (shapes.size() == 1 ? " shape" : " shapes") +
               " on a dark background: " + joined(parts) + ".";
      case 5:  // "In the upper left corner there is a big red disc, and at the bottom edge there is ..."
        for (const auto& w : words) parts.push_back(w.located() + " there is " + w.noun_phrase());
        return capitalised(joined(parts, ", and ")) + ".";
      case 6:  // "A circle that is large and red in the top left and a star that is small and blue ..."
        for (const auto& w : words)
          parts.push_back(with_article(w.kind) + " that is " + w.size + " and " + w.colour + " " + w.located());
        return capitalised(joined(parts)) + ".";
      default: {  // "A picture of a large red circle in the top left and ..."
        static const Words openings = {"an image with", "a picture of", "a picture showing", "a drawing of"};
        for (const auto& w : words) parts.push_back(w.noun_phrase() + " " + w.located());
        const std::string opening = rng_.pick(openings);
        return capitalised(opening) + " " + joined(parts) + ".";
      }
    }
  }

 private:
  ShapeWords draw(const Shape& s) {
    ShapeWords w;
    w.kind = rng_.pick(kKindWords[static_cast<int>(s.kind)]);
    w.colour = rng_.pick(kColourWords[static_cast<int>(s.colour)]);
    w.size = rng_.pick(kSizeWords[static_cast<int>(s.size)]);
    w.place = rng_.pick(kCellWords[s.cell].places);
    w.preposition = rng_.pick(kCellWords[s.cell].prepositions);
    w.label = kCellWords[s.cell].label;
    return w;
  }

  Random rng_;
};

}  // namespace

std::uint64_t ShapeScene::key() const {
  // Each shape is one of 9 * 6 * 7 * 2 = 756 values (10 bits); sorted so order does not matter.
  std::vector<std::uint64_t> codes;
  for (const Shape& s : shapes)
    codes.push_back(
        1 + static_cast<std::uint64_t>(
                ((s.cell * kShapeKinds + static_cast<int>(s.kind)) * kShapeColours + static_cast<int>(s.colour)) * 2 +
                static_cast<int>(s.size)));
  std::sort(codes.begin(), codes.end());
  std::uint64_t key = 0;
  for (std::uint64_t c : codes) key = (key << 10) | c;
  return key;
}

const char* shape_kind_name(ShapeKind kind) {
  static const char* const names[] = {"circle", "square", "triangle", "star", "cross", "diamond"};
  return names[static_cast<int>(kind)];
}

const char* shape_colour_name(ShapeColour colour) {
  static const char* const names[] = {"red", "green", "blue", "yellow", "purple", "orange", "white"};
  return names[static_cast<int>(colour)];
}

const char* shape_size_name(ShapeSize size) { return size == ShapeSize::Small ? "small" : "large"; }

const char* shape_cell_name(int cell) {
  if (cell < 0 || cell >= kShapeCells)
    throw Error(ErrorCode::InvalidArgument, "shape cell " + std::to_string(cell) + " out of range [0, 9)");
  return kCellWords[cell].label;
}

ShapeScene random_shape_scene(std::uint64_t seed) {
  Random rng(seed);
  ShapeScene scene;
  const int roll = rng.below(5);
  const int count = roll == 0 ? 1 : roll <= 2 ? 2 : 3;
  std::vector<int> cells = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  rng.shuffle(cells);
  for (int i = 0; i < count; ++i) {
    Shape s;
    s.cell = cells[static_cast<std::size_t>(i)];
    s.kind = static_cast<ShapeKind>(rng.below(kShapeKinds));
    s.colour = static_cast<ShapeColour>(rng.below(kShapeColours));
    s.size = static_cast<ShapeSize>(rng.below(2));
    s.dx = rng.between(-4, 4);
    s.dy = rng.between(-4, 4);
    s.radius = s.size == ShapeSize::Small ? rng.between(32, 40) : rng.between(60, 66);
    for (int& c : s.shade) c = rng.between(-12, 12);
    scene.shapes.push_back(s);
  }
  // A dark, slightly tinted background with a gentle vertical gradient.
  const int grey = rng.between(25, 60);
  const int slope = rng.between(-10, 10);
  for (int c = 0; c < 3; ++c) {
    const int tint = rng.between(-8, 8);
    scene.top[c] = clamp_byte(grey + tint + slope);
    scene.bottom[c] = clamp_byte(grey + tint - slope);
  }
  return scene;
}

Image render_shape_scene(const ShapeScene& scene) {
  check_scene(scene);
  constexpr int n = kShapeImageSize;
  Image image(n, n);
  for (int y = 0; y < n; ++y)
    for (int c = 0; c < 3; ++c) {
      const auto v =
          static_cast<std::uint8_t>((scene.top[c] * (n - 1 - y) + scene.bottom[c] * y + (n - 1) / 2) / (n - 1));
      for (int x = 0; x < n; ++x) image.pixel(x, y)[c] = v;
    }

  constexpr int total = kSamples * kSamples;
  for (const Shape& s : scene.shapes) {
    const int cx = kCellCentre[s.cell % 3] + s.dx;
    const int cy = kCellCentre[s.cell / 3] + s.dy;
    std::array<int, 3> colour;
    for (int c = 0; c < 3; ++c) colour[c] = clamp_byte(detail::kPalette[static_cast<int>(s.colour)][c] + s.shade[c]);
    const Outline outline(s.kind, s.radius);
    const int reach = s.radius * 3 / 2 + kUnits;  // beyond every kind's extent
    const int x0 = std::max(0, (cx - reach) / kUnits), x1 = std::min(n - 1, (cx + reach) / kUnits);
    const int y0 = std::max(0, (cy - reach) / kUnits), y1 = std::min(n - 1, (cy + reach) / kUnits);
    for (int py = y0; py <= y1; ++py)
      for (int px = x0; px <= x1; ++px) {
        int covered = 0;
        for (int sy = 0; sy < kSamples; ++sy)
          for (int sx = 0; sx < kSamples; ++sx)
            covered += outline.contains(px * kUnits + 1 + 2 * sx - cx, py * kUnits + 1 + 2 * sy - cy);
        if (covered == 0) continue;
        std::uint8_t* p = image.pixel(px, py);
        for (int c = 0; c < 3; ++c)
          p[c] = static_cast<std::uint8_t>((p[c] * (total - covered) + colour[c] * covered + total / 2) / total);
      }
  }
  return image;
}

std::vector<std::string> describe_shape_scene(const ShapeScene& scene, std::uint64_t seed, int count) {
  check_scene(scene);
  if (count < 1 || count > kTemplates)
    throw Error(ErrorCode::InvalidArgument,
                "describe_shape_scene: count must be in [1, 8], got " + std::to_string(count));
  Random order(seed);
  std::vector<int> templates = {0, 1, 2, 3, 4, 5, 6, 7};
  order.shuffle(templates);
  Describer describer(order.next());
  std::vector<std::string> captions;
  for (int i = 0; i < count; ++i)
    captions.push_back(describer.caption(templates[static_cast<std::size_t>(i)], scene.shapes));
  return captions;
}

}  // namespace gxn
