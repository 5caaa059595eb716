#pragma once
// Subcommands of `gxn`: each file defines `void add_NAME(CLI::App& gxn)`, which adds its
// subcommand and callback, and registers it with GXN_COMMAND(add_NAME).
#include <CLI/CLI.hpp>

namespace gxn::cli {

using CommandSetup = void (*)(CLI::App&);
bool register_command(CommandSetup setup);
void add_registered_commands(CLI::App& app);

// `gxn bench train` (bench_train.cpp), added to `gxn bench` by bench.cpp.
void add_train_benchmark(CLI::App& bench);

// CLI11 reads unsigned options with strtoull, which takes "-1" as 2^64 - 1 and saturates on
// overflow: a seed is checked as text first.
inline const CLI::Validator kSeedText(
    [](std::string& text) -> std::string {
      const bool digits =
          !text.empty() && text.size() <= 20 && text.find_first_not_of("0123456789") == std::string::npos;
      if (!digits || (text.size() == 20 && text > "18446744073709551615"))
        return "a seed is a whole number from 0 to 18446744073709551615, got '" + text + "'";
      return {};
    },
    "UINT64");

}  // namespace gxn::cli

#define GXN_COMMAND(setup) static const bool gxn_command_registered_##setup = ::gxn::cli::register_command(&setup)
