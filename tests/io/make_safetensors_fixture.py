#!/usr/bin/python3
"""A tiny safetensors reader and writer on top of PyTorch, for checking nabla against it.

Debian ships PyTorch (python3-torch) but not the `safetensors` package, so this follows the format
by hand: an 8-byte little-endian header length, a JSON header padded with spaces to a multiple of
8 (as the reference writer does), then the raw little-endian tensor data.

  write PATH   write the fixture tensors to PATH
               (tests/data/io/torch_tensors.safetensors is made this way)
  check PATH   read PATH and check it holds exactly the fixture tensors and metadata
  dump PATH    read PATH and print what it holds

The reverse direction (PyTorch reads what nabla writes) was checked by hand:
  build/release/tests/unit_tests --gtest_filter='Safetensors.WritesFileForPythonCheck'
  /usr/bin/python3 tests/io/make_safetensors_fixture.py check /tmp/nabla_io_written.safetensors
"""
import json
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
NAMES = {v: k for k, v in DTYPES.items()}


def fixture():
    """The tensors the C++ test expects, with values chosen to catch byte-order and width bugs."""
    tensors = {
        "weight": torch.tensor([[1.5, -2.25, 3.0], [0.1, 1e30, -7.0]], dtype=torch.float32),
        "bias": torch.tensor([0.1, -1e-300, 3.141592653589793, 2.0**60], dtype=torch.float64),
        "index": torch.tensor([[-1, 2**40], [2**62, -(2**63)]], dtype=torch.int64),
    }
    metadata = {"format": "pt", "written_by": "torch"}
    return tensors, metadata


def save(path, tensors, metadata):
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, tensor in tensors.items():
        data = tensor.contiguous().numpy().tobytes() if tensor.numel() else b""
        header[name] = {"dtype": NAMES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        if end > begin:
            flat = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype)
        else:
            flat = torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(info["shape"])
    return tensors, metadata


def check(path):
    expected, expected_metadata = fixture()
    tensors, metadata = load(path)
    assert metadata == expected_metadata, f"metadata {metadata} != {expected_metadata}"
    assert set(tensors) == set(expected), f"names {sorted(tensors)} != {sorted(expected)}"
    for name, want in expected.items():
        got = tensors[name]
        assert got.dtype == want.dtype, f"{name}: dtype {got.dtype} != {want.dtype}"
        assert got.shape == want.shape, f"{name}: shape {tuple(got.shape)} != {tuple(want.shape)}"
        assert torch.equal(got, want), f"{name}: values\n{got}\n!=\n{want}"
    print(f"{path}: OK, {len(tensors)} tensors and metadata match the fixture")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "check", "dump"):
        sys.exit(__doc__)
    command, path = sys.argv[1], sys.argv[2]
    if command == "write":
        save(path, *fixture())
    elif command == "check":
        check(path)
    else:
        tensors, metadata = load(path)
        print("metadata:", metadata)
        for name, tensor in tensors.items():
            print(name, tensor.dtype, tuple(tensor.shape), tensor.tolist())


if __name__ == "__main__":
    main()
