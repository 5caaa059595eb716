"""gxn from Python: text-image retrieval with the GXN model, through gxn's stable C API.

The shared library is found through $GXN_LIBRARY, then where `cmake --install` put it beside
this package, then the system's loader path (libgxn_c.so.1). Arrays are numpy float32, C-contiguous.
"""
from ._library import GxnError, version
from .evaluation import evaluate
from .files import read_embeddings, read_matrix, write_embeddings, write_matrix
from .index import Index
from .model import Model, has_model
from .scorer import Scorer
from .training import TrainProgress, train

__all__ = ["GxnError", "Index", "Model", "Scorer", "evaluate", "has_model", "read_embeddings", "read_matrix", "TrainProgress", "train", "version",
           "write_embeddings", "write_matrix"]
