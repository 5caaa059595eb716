"""Embeddings and score matrices in .npy files, read and written by gxn (atomic writes)."""
import ctypes
import os

import numpy as np

from ._library import check, lib
from .arrays import as_float32_2d, as_matrix, float_p, fptr, take_matrix

lib.gxn_read_embeddings.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
lib.gxn_read_npy_matrix.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
lib.gxn_write_embeddings.argtypes = [ctypes.c_char_p, float_p, ctypes.c_int64, ctypes.c_int64]
lib.gxn_write_npy_matrix.argtypes = [ctypes.c_char_p, float_p, ctypes.c_int64, ctypes.c_int64]


def _read(fn, path):
    handle = ctypes.c_void_p()
    check(fn(os.fsencode(path), ctypes.byref(handle)))
    return take_matrix(handle)


def read_embeddings(path):
    """An (N, 2, D) embeddings file as an (N, 2*D) float32 array."""
    return _read(lib.gxn_read_embeddings, path)


def read_matrix(path):
    """A 2-D .npy file (e.g. a score matrix) as float32."""
    return _read(lib.gxn_read_npy_matrix, path)


def write_embeddings(path, rows):
    """Writes (N, 2*D) or (N, 2, D) rows as an (N, 2, D) float32 file."""
    a = as_matrix(rows, "rows")
    check(lib.gxn_write_embeddings(os.fsencode(path), fptr(a), a.shape[0], a.shape[1]))


def write_matrix(path, matrix):
    a = as_float32_2d(matrix, "matrix")
    check(lib.gxn_write_npy_matrix(os.fsencode(path), fptr(a), a.shape[0], a.shape[1]))
