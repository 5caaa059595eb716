#pragma once
// Instruction sets gxn has kernels for, chosen at run time so one binary runs on any x86-64.
namespace gxn {

enum class Isa { Auto = 0, Portable = 1, Avx2 = 2, Avx512 = 3 };

// The best instruction set this CPU (and OS) supports among those gxn has kernels for.
Isa detect_isa();

// `requested`, or detect_isa() for Auto; throws gxn::Error(Unsupported) if the CPU lacks it.
Isa resolve_isa(Isa requested);

const char* isa_name(Isa isa);

// Parses "auto", "portable", "avx2", "avx512"; throws gxn::Error(InvalidArgument) otherwise.
Isa parse_isa(const char* name);

}  // namespace gxn
