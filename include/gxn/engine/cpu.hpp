#pragma once
// Instruction sets gxn has kernels for, chosen at run time so one binary runs on any x86-64.
namespace gxn {

enum class Isa { Auto = 0, Portable = 1, Avx2 = 2, Avx512 = 3 };

// The best instruction set this CPU (and OS) supports among those gxn has kernels for.
Isa detect_isa();

// Whether the CPU (and OS) run AVX-512 VNNI (int8 dot products), behind the scorer's certified
// int8 pass for top-k.
bool has_avx512_vnni();

// `requested`, or detect_isa() for Auto; throws gxn::Error(Unsupported) if the CPU lacks it.
Isa resolve_isa(Isa requested);

const char* isa_name(Isa isa);

// Parses "auto", "portable", "avx2", "avx512"; throws gxn::Error(InvalidArgument) otherwise.
Isa parse_isa(const char* name);

// OpenBLAS (behind FAISS's k-means and list assignment, and LibTorch's matrix products) picks its
// kernels from the CPU model when it loads, and falls back to its oldest ones (Prescott, SSE3) on
// a model it does not know: Debian's 0.3.21 does so on some virtual machines with AVX-512, and
// runs several times slower. It reads OPENBLAS_CORETYPE only at load time, so a program sets it
// before it starts (or runs itself again with it set, as the gxn command does).
//
// The kernels OpenBLAS uses ("SkylakeX", "Prescott", ...), or "" when none is loaded.
const char* blas_core_name();
// The OPENBLAS_CORETYPE this process should have been started with ("SkylakeX" for AVX-512,
// "Haswell" for AVX2) when OpenBLAS fell back to old kernels; nullptr when its choice is right.
const char* recommended_blas_core();

}  // namespace gxn
