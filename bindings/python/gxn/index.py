"""A FAISS shortlist of image (or caption) embeddings, rescored exactly with s*."""
import ctypes
import os

import numpy as np

from ._library import check, lib
from .arrays import as_matrix, float_p, fptr, int64_p, iptr

lib.gxn_index_build.argtypes = [float_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_float, ctypes.c_int,
                                ctypes.POINTER(ctypes.c_void_p)]
lib.gxn_index_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
lib.gxn_index_save.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
lib.gxn_index_size.argtypes = [ctypes.c_void_p]
lib.gxn_index_size.restype = ctypes.c_int64
lib.gxn_index_free.argtypes = [ctypes.c_void_p]
lib.gxn_index_search.argtypes = [ctypes.c_void_p, float_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
                                 ctypes.c_int64, int64_p, float_p, int64_p]


class Index:
    """Index.build(images, lam) for caption queries, or side='captions' for image queries."""

    def __init__(self, handle):
        self._handle = handle

    @classmethod
    def build(cls, rows, lam=0.5, side="images"):
        if side not in ("images", "captions"):
            raise ValueError("side: 'images' or 'captions'")
        a = as_matrix(rows, "rows")
        handle = ctypes.c_void_p()
        check(lib.gxn_index_build(fptr(a), a.shape[0], a.shape[1], lam, 0 if side == "images" else 1,
                                  ctypes.byref(handle)))
        return cls(handle)

    @classmethod
    def load(cls, path):
        handle = ctypes.c_void_p()
        check(lib.gxn_index_load(os.fsencode(path), ctypes.byref(handle)))
        return cls(handle)

    def save(self, path):
        check(lib.gxn_index_save(self._handle, os.fsencode(path)))

    def __len__(self):
        return lib.gxn_index_size(self._handle)

    def __del__(self):
        if getattr(self, "_handle", None):
            lib.gxn_index_free(self._handle)
            self._handle = None

    def search(self, queries, k, shortlist=0):
        """(index, score), each (n_queries, min(k, len(self))); index -1 where no candidate was found."""
        q = as_matrix(queries, "queries")
        kk = max(0, min(int(k), len(self)))
        index = np.empty((q.shape[0], kk), dtype=np.int64)
        score = np.empty((q.shape[0], kk), dtype=np.float32)
        got = ctypes.c_int64()
        check(lib.gxn_index_search(self._handle, fptr(q), q.shape[0], q.shape[1], int(k), int(shortlist), iptr(index),
                                   fptr(score), ctypes.byref(got)))
        return index, score
