#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "gxn/engine/io/image_folder.hpp"
#include "gxn/error.hpp"
#include "support/temp_dir.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

TEST_CASE("An image folder lists its image files by name, and nothing else", "[image_folder]") {
  TempDir tmp;
  const fs::path dir = tmp.path;
  fs::create_directories(dir / "sub.png");  // a folder, whatever its name
  for (const char* name : {"b.png", "a.JPG", "c.jpeg", "d.gif", "e.bmp", "B.png", "notes.txt", ".hidden.png", "png"})
    std::ofstream(dir / name) << "x";
  fs::create_directories(dir / "sub.png" / "inner.png");
  const auto files = gxn::list_image_files(dir.string());
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(fs::path(f).filename().string());
  CHECK(names == std::vector<std::string>{"B.png", "a.JPG", "b.png", "c.jpeg", "d.gif", "e.bmp"});
  CHECK(files[0] == (dir / "B.png").string());

  CHECK_THROWS_WITH(gxn::list_image_files((dir / "sub.png" / "inner.png").string()), Contains("no image files"));
  CHECK_THROWS_WITH(gxn::list_image_files((dir / "none").string()), Contains("none: no such folder"));
  CHECK_THROWS_WITH(gxn::list_image_files((dir / "notes.txt").string()), Contains("no such folder"));
}
