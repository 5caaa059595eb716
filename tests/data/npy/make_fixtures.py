#!/usr/bin/python3
"""Makes the .npy fixtures of tests/engine/test_npy.cpp and tests/tools/eval.sh.

Run from anywhere with Debian's numpy:  /usr/bin/python3 tests/data/npy/make_fixtures.py
The valid files come from numpy itself; the damaged ones are numpy files cut or altered,
or headers written by hand where numpy would refuse to write them.
"""
import io
import os
import struct

import numpy as np
from numpy.lib import format as npformat

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, array, version=None):
    with open(os.path.join(HERE, name), "wb") as f:
        npformat.write_array(f, array, version=version, allow_pickle=False)


def raw(name, header, data=b"", version=(1, 0)):
    """A file with a hand-written header (padded like numpy's) followed by `data`."""
    preamble = 10 if version[0] == 1 else 12
    text = header.encode("latin1")
    pad = (-(preamble + len(text) + 1)) % 64
    text += b" " * pad + b"\n"
    length = struct.pack("<H" if version[0] == 1 else "<I", len(text))
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(b"\x93NUMPY" + bytes(version) + length + text + data)


def numpy_bytes(array):
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def write_bytes(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


# Valid files. 2x3 float32 with values k/4 (exact in binary), in all three header versions.
m23 = (np.arange(6, dtype=np.float32) / 4).reshape(2, 3)
save("f4_v1.npy", m23)  # numpy's default, version 1.0
save("f4_v2.npy", m23, version=(2, 0))
save("f4_v3.npy", m23, version=(3, 0))
# float16: zero, minus zero, normals, the largest, the smallest normal and subnormal, +-Inf, NaN, 1/3.
save("f2.npy", np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 2.0**-14, 2.0**-24, np.inf, -np.inf, np.nan, 1 / 3],
                        dtype="<f2"))
save("scalar.npy", np.array(3.5, dtype=np.float32))
save("rank4.npy", np.arange(12, dtype=np.float32).reshape(2, 1, 3, 2))
save("empty.npy", np.zeros((0, 3), dtype=np.float32))
# Embeddings (N=3, 2, D=4): row n = (x_h, x_l), value 100n + 10p + d.
emb = np.array([[[100 * n + 10 * p + d for d in range(4)] for p in range(2)] for n in range(3)], dtype=np.float32)
save("embeddings.npy", emb)
save("embeddings_f16.npy", emb.astype("<f2"))
# The 2-image x 10-caption score matrix worked by hand in tests/engine/test_metrics.cpp.
save("eval_scores_2x10.npy", np.array([
    [0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.05],
    [0.95, 0.9, 0.85, 0.82, 0.81, 0.8, 0.2, 0.3, 0.4, 0.5]], dtype=np.float32))
save("eval_scores_2x9.npy", np.zeros((2, 9), dtype=np.float32))  # captions are not 5 x images

# Refused files.
good = numpy_bytes(m23)
write_bytes("truncated_data.npy", good[:-3])
write_bytes("truncated_header.npy", good[:30])
write_bytes("trailing_data.npy", good + b"\0\0\0\0")
write_bytes("bad_magic.npy", b"\x93NUMPZ" + good[6:])
write_bytes("version4.npy", good[:6] + b"\x04\x00" + good[8:])
save("fortran.npy", np.asfortranarray(m23))
save("big_endian.npy", m23.astype(">f4"))
save("int64.npy", np.arange(6, dtype=np.int64).reshape(2, 3))
save("float64.npy", m23.astype(np.float64))
save("structured.npy", np.zeros(2, dtype=[("a", "<f4")]))
raw("not_dict.npy", "[('descr', '<f4'), ('fortran_order', False), ('shape', (2, 3))]", m23.tobytes())
raw("shape_overflow.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }")
raw("negative_shape.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }")
raw("extra_key.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'units': 'm', }", m23.tobytes())
raw("missing_shape.npy", "{'descr': '<f4', 'fortran_order': False, }", m23.tobytes())
raw("unterminated_header.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3", m23.tobytes())
