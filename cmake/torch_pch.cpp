// Compiled only to produce the shared LibTorch precompiled header (see gxnHelpers.cmake).
