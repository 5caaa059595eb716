"""gxn from Python: text-image retrieval with the GXN model, through gxn's stable C API.

The shared library is found through $GXN_LIBRARY, then next to this package, then the
system's loader path (libgxn_c.so.0). Arrays are numpy float32, C-contiguous.
"""
from ._library import GxnError, version
from .evaluation import evaluate
from .files import read_embeddings, read_matrix, write_embeddings, write_matrix
from .index import Index
from .scorer import Scorer

__all__ = ["GxnError", "Index", "Scorer", "evaluate", "read_embeddings", "read_matrix", "version",
           "write_embeddings", "write_matrix"]
