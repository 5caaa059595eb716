// The `gxn` command: parses the command line, runs one subcommand, and turns every
// gxn::Error into a message on stderr and a non-zero exit status.
#include <cstdio>
#include <vector>

#include "command.hpp"
#include "gxn/error.hpp"
#include "process_setup.hpp"

namespace gxn::cli {

static std::vector<CommandSetup>& registry() {
  static std::vector<CommandSetup> commands;
  return commands;
}

bool register_command(CommandSetup setup) {
  registry().push_back(setup);
  return true;
}

void add_registered_commands(CLI::App& app) {
  for (CommandSetup setup : registry()) setup(app);
}

}  // namespace gxn::cli

int main(int argc, char** argv) {
  gxn::cli::prepare_process(argv);
  CLI::App app{"gxn: text-image retrieval with the GXN model (Look, Imagine and Match)", "gxn"};
  app.set_version_flag("--version", GXN_VERSION);
  app.require_subcommand(1);
  gxn::cli::add_registered_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const gxn::Error& e) {
    std::fprintf(stderr, "gxn: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gxn: internal error: %s\n", e.what());
    return 3;
  }
  return 0;
}
