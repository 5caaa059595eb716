#pragma once
// Subcommands of `gxn`: each file defines `void add_NAME(CLI::App& gxn)`, which adds its
// subcommand and callback, and registers it with GXN_COMMAND(add_NAME).
#include <CLI/CLI.hpp>

namespace gxn::cli {

using CommandSetup = void (*)(CLI::App&);
bool register_command(CommandSetup setup);
void add_registered_commands(CLI::App& app);

}  // namespace gxn::cli

#define GXN_COMMAND(setup) \
  static const bool gxn_command_registered_##setup = ::gxn::cli::register_command(&setup)
