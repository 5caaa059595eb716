# Warnings for gxn's own targets (not for the headers of its dependencies).
# nvcc takes the host compiler's warnings through -Xcompiler.
function(gxn_warnings target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:C,CXX>:-Wall -Wextra -Wno-unused-parameter>
                                           $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra,-Wno-unused-parameter>)
endfunction()

# How a target that includes LibTorch compiles. The LibTorch headers are costly to parse: one
# precompiled header, shared by every such target (its flags must match, hence one place that
# sets them).
function(gxn_torch_compile target)
  if(NOT TARGET gxn_torch_pch)
    add_library(gxn_torch_pch OBJECT ${PROJECT_SOURCE_DIR}/cmake/torch_pch.cpp)
    # Same flags as its users (they get -fopenmp through gxn::engine), or GCC ignores the PCH.
    target_link_libraries(gxn_torch_pch PRIVATE ${TORCH_LIBRARIES} OpenMP::OpenMP_CXX)
    target_compile_features(gxn_torch_pch PRIVATE cxx_std_17)
    target_precompile_headers(gxn_torch_pch PRIVATE <torch/torch.h>)
  endif()
  target_precompile_headers(${target} REUSE_FROM gxn_torch_pch)
  # Most of a LibTorch file's compile time goes to instantiating and optimising the same inline
  # torch code again; compiled in batches, a target does that once a batch (half the CPU time).
  if(GXN_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endif()
endfunction()
