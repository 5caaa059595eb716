#!/usr/bin/env bash
# stb_image reads no uninitialised memory on any image the fuzzer keeps (tests/fuzz/corpus/image,
# the inputs it found included): valgrind's memcheck over gxn's decoder. stb_image 2.27 decodes a
# JPEG scan whose Huffman table the file never defined from whatever its allocation held; gxn
# zeroes stb_image's allocations (stb_image_impl.cpp), and this test fails without that.
# Usage: decode_images.sh /path/to/gxn_decode_images SOURCE_DIR
set -euo pipefail
decoder=$1 source_dir=$2
valgrind -q --error-exitcode=9 --track-origins=yes "$decoder" "$source_dir"/tests/fuzz/corpus/image/* \
  "$source_dir"/tests/data/fuzz/*.jpg "$source_dir"/tests/data/scene.jpg
