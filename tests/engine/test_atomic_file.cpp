#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>

#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/error.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

// The id of a process that has ended (and been reaped): what a writer killed mid-save leaves.
pid_t ended_process() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

}  // namespace

TEST_CASE("AtomicFileWriter: the destination holds the old file until commit, then the new one whole",
          "[atomic_file]") {
  TempDir dir;
  const std::string path = dir.file("model.gxn");
  write_text(path, "old");
  {
    gxn::AtomicFileWriter out(path);
    out.write("new!", 4);
    REQUIRE(read_text(path) == "old");
    REQUIRE(names_in(dir.path).size() == 2);  // the file and one temporary
    out.commit();
  }
  REQUIRE(read_text(path) == "new!");
  REQUIRE(names_in(dir.path) == std::set<std::string>{"model.gxn"});

  {  // abandoned (an exception unwinding): the old file stays, the temporary goes
    gxn::AtomicFileWriter out(path);
    out.write("half", 4);
  }
  REQUIRE(read_text(path) == "new!");
  REQUIRE(names_in(dir.path) == std::set<std::string>{"model.gxn"});
}

TEST_CASE("AtomicFileWriter: a commit removes the temporaries that killed writers of that file left", "[atomic_file]") {
  TempDir dir;
  const std::string path = dir.file("index.gxi");
  const std::string dead = std::to_string(ended_process());
  const std::string live = std::to_string(::getppid());  // running: it may be writing
  const std::set<std::string> kept = {
      "index.gxi.tmp." + live + ".0.123",  // a live process's
      "other.gxi.tmp." + dead + ".0.123",  // another file's
      "index.gxi.tmp.x" + dead + ".0.1",   // not a name gxn makes
      "index.gxi.tmpl",                    // a user's file
  };
  for (const auto& name : kept) write_text(dir.file(name), "keep");
  write_text(dir.file("index.gxi.tmp." + dead + ".0.123"), "half written");
  write_text(dir.file("index.gxi.tmp." + dead + ".7.999"), "half written");

  gxn::write_file_atomically(path, std::string("whole"));

  std::set<std::string> expected = kept;
  expected.insert("index.gxi");
  REQUIRE(names_in(dir.path) == expected);
  REQUIRE(read_text(path) == "whole");
}

TEST_CASE("AtomicFileWriter: a destination that is a directory or in no directory is refused by name",
          "[atomic_file]") {
  TempDir dir;
  REQUIRE_THROWS_WITH(gxn::AtomicFileWriter(dir.path.string()), Catch::Contains("is a directory"));
  REQUIRE_THROWS_WITH(gxn::AtomicFileWriter(dir.file("missing/file")), Catch::Contains("cannot create a temporary"));
  REQUIRE(names_in(dir.path).empty());
}
