"""numpy arrays to and from the C API's raw pointers."""
import ctypes

import numpy as np

float_p = ctypes.POINTER(ctypes.c_float)
int64_p = ctypes.POINTER(ctypes.c_int64)


def as_matrix(array, name):
    """A C-contiguous float32 2-D array (copied only if needed); refuses other shapes by name."""
    a = np.ascontiguousarray(array, dtype=np.float32)
    if a.ndim == 3:  # (N, 2, D) embeddings file layout: one row of 2*D per item
        a = a.reshape(a.shape[0], -1)
    if a.ndim != 2:
        raise ValueError(f"{name}: expected an (N, 2*D) or (N, 2, D) array, got shape {a.shape}")
    return a


def fptr(a):
    return a.ctypes.data_as(float_p)


def iptr(a):
    return a.ctypes.data_as(int64_p)
