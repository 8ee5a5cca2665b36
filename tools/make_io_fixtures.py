#!/usr/bin/env python3
"""Writes the small files under tests/fixtures/io/ that tests/io/*_test.cpp read.

They are produced by NumPy (and PyTorch for bfloat16 bits) exactly as users' files would be, so
the C++ readers are checked against the real writers; the tests hard-code the expected values.
safetensors files are written by hand (the format is 8 bytes of length, JSON, buffer) so the
`safetensors` Python package is not needed.

Usage: /usr/bin/python3 tools/make_io_fixtures.py [out_dir]   (default: tests/fixtures/io next to this script)
"""
import gzip
import io
import json
import os
import struct
import sys

import numpy as np

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "io")


def path(name):
    return os.path.join(OUT, name)


def write_npy(name, arr, version=None):
    with open(path(name), "wb") as f:
        np.lib.format.write_array(f, arr, version=version)


def npy_fixtures():
    # float32 2x3: [[-1, -0.5, 0], [0.5, 1, 1.5]]
    write_npy("f4_2x3.npy", (np.arange(6, dtype=np.float32) * 0.5 - 1).reshape(2, 3))
    write_npy("f8_scalar.npy", np.array(3.25, dtype=np.float64))          # 0-d
    write_npy("i8_empty_0x3.npy", np.zeros((0, 3), dtype=np.int64))       # empty
    write_npy("b1_4.npy", np.array([True, False, False, True]))
    write_npy("u1_3.npy", np.array([0, 1, 255], dtype=np.uint8))
    write_npy("i4_4.npy", np.array([-2147483648, -1, 0, 2147483647], dtype=np.int32))
    write_npy("f2_3.npy", np.array([1.0, -2.5, 65504.0], dtype=np.float16))
    # Fortran order: logical [[1, 2, 3], [4, 5, 6]] stored column-major.
    write_npy("f8_fortran_2x3.npy", np.asfortranarray(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float64)))
    write_npy("f4_bigendian_3.npy", np.array([1.5, -2.0, 3.0], dtype=">f4"))
    write_npy("i8_bigendian_2.npy", np.array([1, -2], dtype=">i8"))
    write_npy("f4_v2_2.npy", np.array([7.0, 8.0], dtype=np.float32), version=(2, 0))
    write_npy("i8_v3_2x1x2.npy", np.arange(4, dtype=np.int64).reshape(2, 1, 2), version=(3, 0))


def npz_fixtures():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)    # [[0, 1, 2], [3, 4, 5]]
    b = np.array([10, -20, 30], dtype=np.int64)
    c = np.array(True)
    np.savez(path("savez.npz"), a=a, b=b, c=c)
    np.savez_compressed(path("savez_compressed.npz"), a=a, b=b, c=c)
    # A compressed member large enough for several deflate blocks: 0..999 as float64.
    np.savez_compressed(path("savez_compressed_big.npz"), x=np.arange(1000, dtype=np.float64))


def write_safetensors(name, tensors, metadata=None):
    """tensors: list of (name, dtype code, shape, raw bytes) in buffer order."""
    header, buf, offset = {}, b"", 0
    for tname, code, shape, raw in tensors:
        header[tname] = {"dtype": code, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        buf += raw
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path(name), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + buf)


def safetensors_fixtures():
    import torch  # only for exact bfloat16 bits

    bf16 = torch.tensor([1.0, -0.5, 3.140625], dtype=torch.bfloat16).view(torch.int16).numpy().astype("<i2")
    write_safetensors("mixed.safetensors", [
        ("w", "F32", (2, 2), np.array([[1, 2], [3, 4]], dtype="<f4").tobytes()),
        ("d", "F64", (), np.array(-0.125, dtype="<f8").tobytes()),
        ("idx", "I64", (3,), np.array([5, -6, 7], dtype="<i8").tobytes()),
        ("mask", "BOOL", (2,), np.array([False, True]).tobytes()),
        ("h", "F16", (2,), np.array([0.5, -1.0], dtype="<f2").tobytes()),
        ("bf", "BF16", (3,), bf16.tobytes()),
        ("i32", "I32", (2,), np.array([-7, 100000], dtype="<i4").tobytes()),
        ("u8", "U8", (3,), np.array([0, 128, 255], dtype="u1").tobytes()),
        ("empty", "F32", (0, 4), b""),
    ], metadata={"format": "pt", "epoch": "3"})


def write_idx(name, arr, type_code, compress=False):
    dtype = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[type_code]
    raw = bytes([0, 0, type_code, arr.ndim]) + b"".join(struct.pack(">I", d) for d in arr.shape)
    raw += np.asarray(arr, dtype=dtype).tobytes()
    if compress:
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
            g.write(raw)
        raw = buf.getvalue()
    with open(path(name), "wb") as f:
        f.write(raw)


def idx_fixtures():
    labels = np.array([3, 0, 9, 1, 7], dtype=np.uint8)
    images = (np.arange(2 * 3 * 4) * 10 % 256).astype(np.uint8).reshape(2, 3, 4)
    write_idx("labels-idx1-ubyte", labels, 0x08)
    write_idx("images-idx3-ubyte", images, 0x08)
    write_idx("images-idx3-ubyte.gz", images, 0x08, compress=True)
    write_idx("i8-idx1", np.array([-128, -1, 0, 127]), 0x09)
    write_idx("i16-idx1", np.array([-32768, 258, 32767]), 0x0B)
    write_idx("i32-idx2", np.array([[-2, 65536], [16777216, 2147483647]]), 0x0C)
    write_idx("f32-idx1", np.array([1.5, -0.25, 1e30]), 0x0D)
    write_idx("f64-idx1", np.array([np.pi, -1e-300]), 0x0E)


def main():
    os.makedirs(OUT, exist_ok=True)
    npy_fixtures()
    npz_fixtures()
    safetensors_fixtures()
    idx_fixtures()


if __name__ == "__main__":
    main()
