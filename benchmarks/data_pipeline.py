"""One Fashion-MNIST training epoch, stock pipeline vs tensor path, against the GEMM floor (`make bench`).

(a) torchvision's dataset with ToTensor + Normalize and a DataLoader: a PIL image and a
    tensor conversion per sample, collated per batch;
(b) utils' tensor path: the dataset converted once (`as_tensors`, timed separately) and
    batches sliced from a tensor shuffled once per epoch (`TensorBatchLoader`).

Both train the same 784-256-128-10 MLP (Adam) on all 60,000 training images at the same
batch size. The floor is the epoch's matmul FLOPs divided by the matmul throughput measured
here on exactly the GEMMs an epoch runs (forward, weight gradients, input gradients): the
time an epoch would take if it did nothing but its matrix products.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import statistics
import time

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import transforms

import utils

SIZES = (784, 256, 128, 10)


def train_epoch(model: nn.Module, loader, optimizer: torch.optim.Optimizer, device: torch.device) -> float:
    """Seconds for one training epoch over ``loader``."""
    criterion = nn.CrossEntropyLoss()
    utils.synchronize(device)
    start = time.perf_counter()
    model.train()
    for inputs, labels in loader:  # the plain loop of question 2.4, without bookkeeping
        inputs, labels = inputs.to(device, non_blocking=True), labels.to(device, non_blocking=True)
        optimizer.zero_grad(set_to_none=True)
        criterion(model(inputs), labels).backward()
        optimizer.step()
    utils.synchronize(device)
    return time.perf_counter() - start


def epoch_gemms(batch_size: int, samples: int) -> list[tuple[int, int, int]]:
    """(m, k, n) of every matrix product in one epoch of the MLP, batch by batch."""
    gemms = []
    full, rest = divmod(samples, batch_size)
    for batch in [batch_size] * full + ([rest] if rest else []):
        for layer, (n_in, n_out) in enumerate(itertools.pairwise(SIZES)):
            gemms.append((batch, n_in, n_out))  # forward: X (B, in) @ W^T (in, out)
            gemms.append((n_out, batch, n_in))  # weight gradient: dY^T (out, B) @ X (B, in)
            if layer > 0:  # input gradient, not needed for the images themselves
                gemms.append((batch, n_out, n_in))  # dY (B, out) @ W (out, in)
    return gemms


def gemm_throughput(batch_size: int, device: torch.device, repeat: int = 5) -> float:
    """FLOP/s of this epoch's GEMM shapes on ``device`` (median of ``repeat`` timings of one batch's GEMMs)."""
    shapes = epoch_gemms(batch_size, batch_size)
    operands = [(torch.randn(m, k, device=device), torch.randn(k, n, device=device)) for m, k, n in shapes]
    flops = sum(2 * m * k * n for m, k, n in shapes)

    def run() -> None:
        for _ in range(20):
            for a, b in operands:
                torch.mm(a, b)

    return 20 * flops / utils.median_seconds(run, device, repeat=repeat, warmup=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3, help="epochs timed for the tensor path (median)")
    parser.add_argument("--device", default=None, help="cpu, cuda, mps (default: get_device())")
    args = parser.parse_args()
    device = utils.get_device(args.device)
    print(f"machine: {platform.node()} | {utils.device_summary(device)} | batch size {args.batch_size}")

    stock_set = utils.fashion_mnist(
        train=True,
        transform=transforms.Compose(
            [transforms.ToTensor(), transforms.Normalize((utils.FASHION_MEAN,), (utils.FASHION_STD,))]
        ),
    )
    stock_loader = DataLoader(stock_set, batch_size=args.batch_size, shuffle=True, pin_memory=device.type == "cuda")

    start = time.perf_counter()
    images, labels = utils.as_tensors(utils.fashion_mnist(train=True))
    images, labels = images.to(device), labels.to(device)
    prepare = time.perf_counter() - start
    tensor_loader = utils.TensorBatchLoader(images, labels, args.batch_size, shuffle=True)

    def fresh() -> tuple[nn.Module, torch.optim.Optimizer]:
        utils.seed_everything(0)
        layers = [nn.Flatten()]
        for n_in, n_out in itertools.pairwise(SIZES):
            layers += [nn.Linear(n_in, n_out), nn.ReLU()]
        model = nn.Sequential(*layers[:-1]).to(device)  # no ReLU after the output layer
        return model, torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)  # as question 2's make_optimizer

    model, optimizer = fresh()
    train_epoch(model, utils.TensorBatchLoader(images[:2048], labels[:2048], args.batch_size), optimizer, device)
    model, optimizer = fresh()
    stock = train_epoch(model, stock_loader, optimizer, device)
    model, optimizer = fresh()
    tensor_times = [train_epoch(model, tensor_loader, optimizer, device) for _ in range(args.repeat)]
    tensor = statistics.median(tensor_times)

    samples = len(labels)
    flops = sum(2 * m * k * n for m, k, n in epoch_gemms(args.batch_size, samples))
    throughput = gemm_throughput(args.batch_size, device)
    floor = flops / throughput

    print(f"(a) stock torchvision + PIL DataLoader : {stock:8.2f} s/epoch (1 epoch)")
    print(
        f"(b) utils.TensorBatchLoader            : {tensor:8.2f} s/epoch (median of {args.repeat})"
        f"  + {prepare:.2f} s once for as_tensors"
    )
    print(f"GEMM floor: {flops / 1e9:.1f} GFLOP/epoch / {throughput / 1e9:.1f} GFLOP/s measured = {floor:.2f} s/epoch")
    print(f"speed-up (a)/(b): {stock / tensor:.1f}x   (b)/floor: {tensor / floor:.2f}x")


if __name__ == "__main__":
    main()
