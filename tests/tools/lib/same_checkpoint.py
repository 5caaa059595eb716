"""Whether two gxn checkpoints hold the same training state: python3 same_checkpoint.py A B.

Byte equality is too strict: LibTorch names an optimizer's per-parameter state by the tensor's
address (in the optimizer section's pickle), the log holds seconds, and the config holds the run
folder. Everything else must be equal byte for byte: the model's weights, the state (epoch, step,
best), the random generator, the optimizers' tensors (as a multiset: their order follows the
addresses). Prints the first difference and exits 1. The layout is section_file.hpp's.
"""
import hashlib
import io
import json
import struct
import sys
import zipfile


def sections(path):
    data = open(path, "rb").read()
    count = struct.unpack_from("<I", data, 12)[0]
    at, out = 24, {}
    for _ in range(count):
        length = struct.unpack_from("<I", data, at)[0]
        name = data[at + 4 : at + 4 + length].decode()
        at += 4 + length
        size = struct.unpack_from("<Q", data, at)[0]
        at += 16  # size, checksum
        out[name] = data[at : at + size]
        at += size
    return out


def comparable(name, payload):
    if name in ("optimizer", "discriminator_optimizer"):
        archive = zipfile.ZipFile(io.BytesIO(payload))
        return sorted(hashlib.sha256(archive.read(n)).hexdigest() for n in archive.namelist() if "/data/" in n)
    if name == "log":  # without the seconds column (the 11th)
        return [row.split(",")[:10] + row.split(",")[11:] for row in payload.decode().splitlines()]
    if name == "train_config":
        config = json.loads(payload)
        config.pop("out_dir", None)
        return config
    return payload


a, b = sections(sys.argv[1]), sections(sys.argv[2])
if sorted(a) != sorted(b):
    sys.exit(f"sections differ: {sorted(a)} against {sorted(b)}")
for name in a:
    if comparable(name, a[name]) != comparable(name, b[name]):
        sys.exit(f"section '{name}' differs")
