#!/usr/bin/python3
"""nabla's benchmark models in PyTorch, Adam 1e-3, batch 100, on Fashion-MNIST read from the same
IDX files. Prints one JSON line with per-epoch seconds, test accuracy and peak RSS.
  mlp        the main job's MLP 784-100-100-10, ReLU
  simplecnn  the course's SimpleConvNet: conv 30 5x5, ReLU, 2x2 max pool, Linear 100, ReLU, Linear 10

Two loaders, since both are common PyTorch code:
  dataloader  torch.utils.data.DataLoader over a TensorDataset, shuffled (the idiomatic loop)
  tensor      a shuffled index permutation and slicing of in-memory tensors (PyTorch at its leanest)

Usage: torch_train.py --model simplecnn --threads 2 --epochs 5 --loader dataloader
"""
import argparse
import gzip
import json
import resource
import struct
import time

import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def load(directory, split):
    images = read_idx(f"{directory}/{split}-images-idx3-ubyte.gz").float().div_(255).reshape(-1, 1, 28, 28)
    labels = read_idx(f"{directory}/{split}-labels-idx1-ubyte.gz").long()
    return images, labels


def make_model(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
                             nn.Linear(100, 10))
    return nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4320, 100),
                         nn.ReLU(), nn.Linear(100, 10))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=("mlp", "simplecnn"), default="mlp")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--loader", choices=("dataloader", "tensor"), default="dataloader")
    p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    x_train, y_train = load(args.data_dir, "train")
    x_test, y_test = load(args.data_dir, "t10k")
    model = make_model(args.model)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x_train, y_train),
                                         batch_size=args.batch_size, shuffle=True)

    def batches():
        if args.loader == "dataloader":
            yield from loader
        else:
            order = torch.randperm(len(x_train))
            for i in range(0, len(order), args.batch_size):
                idx = order[i:i + args.batch_size]
                yield x_train[idx], y_train[idx]

    epoch_seconds = []
    for _ in range(args.epochs):
        model.train()
        start = time.perf_counter()
        for x, y in batches():
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
        epoch_seconds.append(time.perf_counter() - start)

    model.eval()
    with torch.no_grad():
        logits = model(x_test)
        accuracy = (logits.argmax(1) == y_test).float().mean().item()
        test_loss = loss_fn(logits, y_test).item()
    print(json.dumps({
        "framework": "pytorch", "model": args.model, "torch": torch.__version__, "loader": args.loader, "threads": args.threads,
        "epoch_seconds": epoch_seconds, "test_accuracy": accuracy, "test_loss": test_loss,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
