"""numpy arrays to and from the C API's raw pointers."""
import ctypes

import numpy as np

from ._library import GxnError, lib

GXN_ERR_SHAPE = 5

float_p = ctypes.POINTER(ctypes.c_float)
int64_p = ctypes.POINTER(ctypes.c_int64)

lib.gxn_matrix_rows.argtypes = lib.gxn_matrix_cols.argtypes = [ctypes.c_void_p]
lib.gxn_matrix_rows.restype = lib.gxn_matrix_cols.restype = ctypes.c_int64
lib.gxn_matrix_data.argtypes = [ctypes.c_void_p]
lib.gxn_matrix_data.restype = float_p
lib.gxn_matrix_free.argtypes = [ctypes.c_void_p]


def as_matrix(array, name):
    """A C-contiguous float32 2-D array (copied only if needed); refuses other shapes by name."""
    a = np.ascontiguousarray(array, dtype=np.float32)
    if a.ndim == 3:  # (N, 2, D) embeddings file layout: one row of 2*D per item
        a = a.reshape(a.shape[0], -1)
    if a.ndim != 2:
        raise GxnError(GXN_ERR_SHAPE, f"{name}: expected an (N, 2*D) or (N, 2, D) array, got shape {a.shape}")
    return a


def as_float32_2d(array, name):
    """A C-contiguous float32 2-D array of any width (a score matrix, say)."""
    a = np.ascontiguousarray(array, dtype=np.float32)
    if a.ndim != 2:
        raise GxnError(GXN_ERR_SHAPE, f"{name}: expected a 2-D array, got shape {a.shape}")
    return a


def same_width(a, a_name, b, b_name):
    """The C API takes one row width for both matrices: unequal widths would be read out of bounds."""
    if a.shape[1] != b.shape[1]:
        raise GxnError(GXN_ERR_SHAPE, f"{a_name} rows hold {a.shape[1]} floats but {b_name} rows hold {b.shape[1]}: "
                                      "both must be 2*D for the same D")


def fptr(a):
    return a.ctypes.data_as(float_p)


def iptr(a):
    return a.ctypes.data_as(int64_p)


def take_matrix(handle):
    """A gxn_matrix handle as a float32 numpy array of its own; the handle is freed."""
    try:
        rows, cols = lib.gxn_matrix_rows(handle), lib.gxn_matrix_cols(handle)
        data = np.ctypeslib.as_array(lib.gxn_matrix_data(handle), shape=(rows * cols,)) if rows * cols else []
        return np.array(data, dtype=np.float32).reshape(rows, cols)
    finally:
        lib.gxn_matrix_free(handle)
