#!/usr/bin/python3
"""Writes the small seed corpora in fuzz/corpus/ (run from the repository root).

Seeds are valid files of each kind, so that the fuzzer starts from inputs that reach deep into
the parsers instead of failing on the first byte.
"""
import gzip
import json
import os
import struct

FASHION = "/usr/share/datasets/fashion-mnist/"


def idx(type_code, dims, data):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + data


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def safetensors(entries, metadata=None):
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, data in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def main():
    labels = gzip.open(FASHION + "t10k-labels-idx1-ubyte.gz").read()[8:24]
    image = gzip.open(FASHION + "t10k-images-idx3-ubyte.gz").read()[16:16 + 784]
    seeds = {
        "labels_u8": idx(0x08, [16], labels),
        "image_u8": idx(0x08, [1, 28, 28], image),
        "i8": idx(0x09, [2, 2], bytes([0, 1, 0x80, 0xFF])),
        "i16": idx(0x0B, [3], struct.pack(">3h", -2, 300, -32768)),
        "i32": idx(0x0C, [2, 1], struct.pack(">2i", 65536, -1)),
        "f32": idx(0x0D, [2], struct.pack(">2f", 1.5, -2.25)),
        "f64": idx(0x0E, [1, 1, 2], struct.pack(">2d", 3.141592653589793, 0.1)),
        "empty": idx(0x08, [0, 28], b""),
    }
    for name, data in seeds.items():
        write(f"fuzz/corpus/idx/{name}", data)
    for name in ("labels_u8", "i16", "f64"):
        write(f"fuzz/corpus/idx_gzip/{name}.gz", gzip.compress(seeds[name], mtime=0))
    write("fuzz/corpus/idx_gzip/plain_i32", seeds["i32"])

    f32 = struct.pack("<6f", 1.5, -2.25, 3.0, 0.1, 1e30, -7.0)
    write("fuzz/corpus/safetensors/three_dtypes", safetensors(
        [("weight", "F32", [2, 3], f32), ("bias", "F64", [2], struct.pack("<2d", 0.1, -1.0)),
         ("index", "I64", [2, 1], struct.pack("<2q", -1, 2**40))],
        {"format": "pt"}))
    write("fuzz/corpus/safetensors/scalar_and_empty", safetensors(
        [("empty", "F32", [0, 3], b""), ("scalar", "F64", [], struct.pack("<d", 2.5))]))
    write("fuzz/corpus/safetensors/metadata_only", safetensors([], {"epoch": "3", "note": "x"}))
    write("fuzz/corpus/safetensors/unsupported_dtype", safetensors([("h", "U16", [2], b"\0<\0<")]))


if __name__ == "__main__":
    main()
