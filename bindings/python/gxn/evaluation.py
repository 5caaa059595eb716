"""The VSE++ retrieval protocol on an (n_images, 5 * n_images) score matrix."""
import ctypes

from ._library import check, lib
from .arrays import float_p, fptr, as_float32_2d


class _Recall(ctypes.Structure):
    _fields_ = [("r1", ctypes.c_double), ("r5", ctypes.c_double), ("r10", ctypes.c_double),
                ("medr", ctypes.c_double), ("meanr", ctypes.c_double)]


class _Metrics(ctypes.Structure):
    _fields_ = [("i2t", _Recall), ("t2i", _Recall), ("rsum", ctypes.c_double)]


lib.gxn_evaluate_scores.argtypes = [float_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_char_p,
                                    ctypes.POINTER(_Metrics)]


def evaluate(scores, protocol="all"):
    """{'i2t': {...}, 't2i': {...}, 'rsum': x} with r1 r5 r10 medr meanr, as `gxn eval --json`."""
    s = as_float32_2d(scores, "scores")
    m = _Metrics()
    check(lib.gxn_evaluate_scores(fptr(s), s.shape[0], s.shape[1], protocol.encode(), ctypes.byref(m)))
    recall = lambda r: {name: getattr(r, name) for name, _ in _Recall._fields_}
    return {"i2t": recall(m.i2t), "t2i": recall(m.t2i), "rsum": m.rsum}
