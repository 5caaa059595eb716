"""Loads libgxn_c and turns its status codes into GxnError."""
import ctypes
import os

_STATUS_NAMES = {
    1: "invalid argument", 2: "not found", 3: "i/o error", 4: "format error",
    5: "shape mismatch", 6: "non-finite value", 7: "unsupported", 8: "internal error", 9: "cancelled",
}


class GxnError(Exception):
    """A failed gxn call: .status is the C API's code, str() its message."""

    def __init__(self, status, message):
        super().__init__(message or _STATUS_NAMES.get(status, f"status {status}"))
        self.status = status


def _load():
    candidates = []
    if os.environ.get("GXN_LIBRARY"):
        candidates.append(os.environ["GXN_LIBRARY"])
    here = os.path.dirname(os.path.abspath(__file__))
    try:  # an installed package knows where the installed library is
        from ._installed_library import LIBRARY
        candidates.append(os.path.normpath(os.path.join(here, LIBRARY)))
    except ImportError:  # the source tree: GXN_LIBRARY, or the system's loader path
        pass
    candidates += [os.path.join(here, "libgxn_c.so.1"), "libgxn_c.so.1"]
    errors = []
    for path in candidates:
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append(f"{path}: {e}")
    raise ImportError("gxn: cannot load libgxn_c (set GXN_LIBRARY to its path):\n  " + "\n  ".join(errors))


lib = _load()
lib.gxn_version.restype = ctypes.c_char_p
lib.gxn_last_error.restype = ctypes.c_char_p


def check(status):
    """Raises GxnError for a non-zero status, with the calling thread's last error message."""
    if status != 0:
        raise GxnError(status, lib.gxn_last_error().decode("utf-8", "replace"))


def version():
    return lib.gxn_version().decode()
