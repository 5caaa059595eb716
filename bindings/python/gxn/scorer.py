"""The order-violation scorer: s*(t, v) = lambda*s(t_h, v_h) + (1-lambda)*s(t_l, v_l)."""
import ctypes

import numpy as np

from ._library import check, lib
from .arrays import as_matrix, float_p, fptr, int64_p, iptr, same_width

lib.gxn_scorer_new.argtypes = [ctypes.c_float, ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
lib.gxn_scorer_free.argtypes = [ctypes.c_void_p]
lib.gxn_scorer_isa.argtypes = [ctypes.c_void_p]
lib.gxn_scorer_isa.restype = ctypes.c_char_p
lib.gxn_scorer_new_on.argtypes = [ctypes.c_float, ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p,
                                  ctypes.POINTER(ctypes.c_void_p)]
lib.gxn_scorer_device.argtypes = [ctypes.c_void_p]
lib.gxn_scorer_device.restype = ctypes.c_char_p
lib.gxn_score_matrix.argtypes = [ctypes.c_void_p, float_p, ctypes.c_int64, float_p, ctypes.c_int64, ctypes.c_int64,
                                 float_p]
for _f in (lib.gxn_top_images, lib.gxn_top_texts):
    _f.argtypes = [ctypes.c_void_p, float_p, ctypes.c_int64, float_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
                   int64_p, float_p, int64_p]


class Scorer:
    """Scores image embeddings against caption embeddings (rows of 2*D: x_h then x_l).

    device: "cpu", or "cuda" / "cuda:N" for the GPU scorer (same calls, same results; threads
    and isa are then not used). GxnError (unsupported) when the library was built without CUDA
    or no CUDA device is present.
    """

    def __init__(self, lam=0.5, threads=0, isa="auto", device="cpu"):
        handle = ctypes.c_void_p()
        check(lib.gxn_scorer_new_on(lam, threads, isa.encode(), device.encode(), ctypes.byref(handle)))
        self._handle = handle

    def __del__(self):
        if getattr(self, "_handle", None):
            lib.gxn_scorer_free(self._handle)
            self._handle = None

    @property
    def isa(self):
        return lib.gxn_scorer_isa(self._handle).decode()

    @property
    def device(self):
        """"cpu" or "cuda:N"."""
        return lib.gxn_scorer_device(self._handle).decode()

    def score_matrix(self, images, texts):
        """(n_images, n_texts) float32: s*(texts[j], images[i])."""
        v, t = as_matrix(images, "images"), as_matrix(texts, "texts")
        same_width(v, "images", t, "texts")
        out = np.empty((v.shape[0], t.shape[0]), dtype=np.float32)
        check(lib.gxn_score_matrix(self._handle, fptr(v), v.shape[0], fptr(t), t.shape[0], v.shape[1], fptr(out)))
        return out

    def _top(self, fn, queries, candidates, k):
        q, c = as_matrix(queries[0], queries[1]), as_matrix(candidates[0], candidates[1])
        same_width(q, queries[1], c, candidates[1])
        kk = max(0, min(int(k), c.shape[0]))
        index = np.empty((q.shape[0], kk), dtype=np.int64)
        score = np.empty((q.shape[0], kk), dtype=np.float32)
        got = ctypes.c_int64()
        check(fn(self._handle, fptr(q), q.shape[0], fptr(c), c.shape[0], q.shape[1], int(k), iptr(index), fptr(score),
                 ctypes.byref(got)))
        return index, score

    def top_images(self, texts, images, k):
        """For every caption, the k best images: (index, score), each (n_texts, min(k, n_images))."""
        return self._top(lib.gxn_top_images, (texts, "texts"), (images, "images"), k)

    def top_texts(self, images, texts, k):
        """For every image, the k best captions: (index, score), each (n_images, min(k, n_texts))."""
        return self._top(lib.gxn_top_texts, (images, "images"), (texts, "texts"), k)
