"""gxn from Python: text-image retrieval with the GXN model, through gxn's stable C API.

The shared library is found through $GXN_LIBRARY, then next to this package, then the
system's loader path (libgxn_c.so.0). Arrays are numpy float32, C-contiguous.
"""
from ._library import GxnError, version
from .scorer import Scorer

__all__ = ["GxnError", "Scorer", "version"]
