"""An index of image (or caption) embeddings: exact s* over the inverted lists nearest each query."""
import ctypes
import os

import numpy as np

from ._library import GxnError, check, lib
from .arrays import GXN_ERR_SHAPE, as_matrix, float_p, fptr, int64_p, iptr

_KINDS = {"auto": 0, "flat": 1, "ivf": 2}


class _IndexOptions(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("lambda_", ctypes.c_float), ("side", ctypes.c_int), ("kind", ctypes.c_int),
                ("nlist", ctypes.c_int64)]


lib.gxn_index_default_options.argtypes = [ctypes.POINTER(_IndexOptions)]
lib.gxn_index_create.argtypes = [float_p, ctypes.c_int64, ctypes.c_int64, int64_p, ctypes.POINTER(ctypes.c_char_p),
                                 ctypes.POINTER(_IndexOptions), ctypes.POINTER(ctypes.c_void_p)]
lib.gxn_index_add.argtypes = [ctypes.c_void_p, float_p, ctypes.c_int64, ctypes.c_int64, int64_p,
                              ctypes.POINTER(ctypes.c_char_p)]
lib.gxn_index_remove.argtypes = [ctypes.c_void_p, int64_p, ctypes.c_int64]
lib.gxn_index_payload.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.POINTER(ctypes.c_char_p)]
lib.gxn_index_ids.argtypes = [ctypes.c_void_p, int64_p]
lib.gxn_index_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
lib.gxn_index_save.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
lib.gxn_index_size.argtypes = [ctypes.c_void_p]
lib.gxn_index_size.restype = ctypes.c_int64
lib.gxn_index_free.argtypes = [ctypes.c_void_p]
lib.gxn_index_set_device.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
lib.gxn_index_device.argtypes = [ctypes.c_void_p]
lib.gxn_index_device.restype = ctypes.c_char_p
lib.gxn_index_search.argtypes = [ctypes.c_void_p, float_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
                                 ctypes.c_int64, int64_p, float_p, int64_p]


def _ids(ids, n, name="ids"):
    """(pointer or None, the array it points into)."""
    if ids is None:
        return None, None
    a = np.ascontiguousarray(ids, dtype=np.int64).reshape(-1)
    if a.shape[0] != n:
        raise GxnError(GXN_ERR_SHAPE, f"{name}: {a.shape[0]} ids for {n} rows")
    return iptr(a), a


def _payloads(payloads, n):
    if payloads is None:
        return None
    payloads = list(payloads)
    if len(payloads) != n:
        raise GxnError(GXN_ERR_SHAPE, f"payloads: {len(payloads)} payloads for {n} rows")
    array = (ctypes.c_char_p * max(n, 1))()
    for i, p in enumerate(payloads):
        array[i] = p.encode("utf-8") if isinstance(p, str) else bytes(p)
    return array


class Index:
    """Index.build(images, lam) for caption queries, or side='captions' for image queries. Items
    have ids (default 0..N-1; search returns them) and optional text payloads (file names, say)."""

    def __init__(self, handle):
        self._handle = handle

    @classmethod
    def build(cls, rows, lam=0.5, side="images", ids=None, payloads=None, kind="auto", nlist=0):
        if side not in ("images", "captions"):
            raise ValueError("side: 'images' or 'captions'")
        if kind not in _KINDS:
            raise ValueError(f"kind: one of {sorted(_KINDS)}")
        a = as_matrix(rows, "rows")
        options = _IndexOptions()
        lib.gxn_index_default_options(ctypes.byref(options))
        options.lambda_ = lam
        options.side = 0 if side == "images" else 1
        options.kind = _KINDS[kind]
        options.nlist = int(nlist)
        id_ptr, _keep = _ids(ids, a.shape[0])
        handle = ctypes.c_void_p()
        check(lib.gxn_index_create(fptr(a), a.shape[0], a.shape[1], id_ptr, _payloads(payloads, a.shape[0]),
                                   ctypes.byref(options), ctypes.byref(handle)))
        return cls(handle)

    def add(self, rows, ids=None, payloads=None):
        """Adds items; ids None continues after the largest id held. Nothing is added on error."""
        a = as_matrix(rows, "rows")
        id_ptr, _keep = _ids(ids, a.shape[0])
        check(lib.gxn_index_add(self._handle, fptr(a), a.shape[0], a.shape[1], id_ptr,
                                _payloads(payloads, a.shape[0])))

    def remove(self, ids):
        """Removes the items with these ids; an unknown id removes nothing (GxnError)."""
        a = np.ascontiguousarray(ids, dtype=np.int64).reshape(-1)
        check(lib.gxn_index_remove(self._handle, iptr(a), a.shape[0]))

    def payload(self, id):
        out = ctypes.c_char_p()
        check(lib.gxn_index_payload(self._handle, int(id), ctypes.byref(out)))
        return out.value.decode("utf-8", "replace")

    @property
    def ids(self):
        out = np.empty(len(self), dtype=np.int64)
        check(lib.gxn_index_ids(self._handle, iptr(out)))
        return out

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

    @property
    def device(self):
        """Where search runs: "cpu", or "cuda:N" after set_device."""
        return lib.gxn_index_device(self._handle).decode()

    def set_device(self, device):
        """"cuda" / "cuda:N": keep a copy of the rows on that GPU and search every item there,
        exactly (shortlist is then not used; k <= 4096 unless the index holds fewer items).
        "cpu" frees it. GxnError (unsupported) when the library was built without CUDA or no
        CUDA device is present; the index then stays as it was."""
        check(lib.gxn_index_set_device(self._handle, device.encode()))

    def search(self, queries, k, shortlist=0, payloads=False):
        """(ids, scores), each (n_queries, min(k, len(self))), best first by exact s*; id -1 where
        the lists visited held fewer than k items. IVF: shortlist = visit lists until they hold this
        many items (0: the default lists; len(self): exact search). With payloads=True also a list of
        lists of the found items' payloads."""
        q = as_matrix(queries, "queries")
        kk = max(0, min(int(k), len(self)))
        index = np.empty((q.shape[0], kk), dtype=np.int64)
        score = np.empty((q.shape[0], kk), dtype=np.float32)
        got = ctypes.c_int64()
        check(lib.gxn_index_search(self._handle, fptr(q), q.shape[0], q.shape[1], int(k), int(shortlist), iptr(index),
                                   fptr(score), ctypes.byref(got)))
        if payloads:
            return index, score, [[self.payload(i) if i >= 0 else "" for i in row] for row in index]
        return index, score
