"""Fashion-MNIST that works offline, and the fast tensor path for training (lessons: Q2.1, Q2.4-6, Q3).

Two ways to feed a model, both taught in question 2:

* the stock pipeline: ``fashion_mnist(train, transform=...)`` returns torchvision's dataset,
  whose ``__getitem__`` builds a PIL image per sample and converts it to a tensor;
* the tensor path: ``tensor_loaders()`` converts the whole dataset to one normalised float32
  tensor once, and its loaders slice batches out of it (≈10x faster on a laptop CPU).

Where the files come from, in order: the data root (argument, else ``HW08_DATA``, else
``<repo>/data``); torchvision's download; Debian's ``dataset-fashion-mnist`` package
(``/usr/share/datasets/fashion-mnist``), checked against the official MD5 sums.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import math
import os
from pathlib import Path
from typing import NamedTuple

import torch
from torch.utils.data import Dataset
from torchvision import datasets

from .atomic import atomic_write
from .errors import first_line

ROOT_ENV_VAR = "HW08_DATA"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = REPO_ROOT / "data"

#: Folders searched when the download fails (Debian's ``dataset-fashion-mnist`` package).
SYSTEM_DIRS: tuple[Path, ...] = (Path("/usr/share/datasets/fashion-mnist"),)

#: MD5 of each official file *after* decompression (the ``.gz`` files may be recompressed,
#: as Debian's are, which changes their own checksum but not their content).
FASHION_MNIST_MD5 = {
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}

FASHION_CLASSES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

#: Mean and standard deviation of the 60,000 training images' pixels, scaled to [0, 1].
FASHION_MEAN = 0.2860
FASHION_STD = 0.3530


class DatasetUnavailableError(RuntimeError):
    """No copy of a dataset could be found or fetched; the message lists every place tried."""


def data_root(root: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: ``root``, else ``$HW08_DATA``, else ``<repo>/data``."""
    if root is not None:
        return Path(root).expanduser()
    env = os.environ.get(ROOT_ENV_VAR, "").strip()
    return Path(env).expanduser() if env else DEFAULT_ROOT


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _raw_folder(root: Path) -> Path:
    return root / "FashionMNIST" / "raw"


def _fashion_files_present(root: Path) -> bool:
    raw = _raw_folder(root)
    return all((raw / name).is_file() for name in FASHION_MNIST_MD5)


def provision_fashion_mnist(root: Path, source: Path) -> None:
    """Decompress the four official ``.gz`` files from ``source`` into ``root/FashionMNIST/raw``.

    Each file's content is checked against :data:`FASHION_MNIST_MD5` before it is moved
    into place (write to a temporary file, then ``os.replace``), so a bad or partial copy
    never appears under the expected name.

    Raises:
        FileNotFoundError: a ``.gz`` file is missing from ``source``.
        ValueError: a file's content does not match the official MD5.
    """
    raw = _raw_folder(root)
    for name in FASHION_MNIST_MD5:
        if not (source / f"{name}.gz").is_file():
            raise FileNotFoundError(f"{source / (name + '.gz')} is missing")
    raw.mkdir(parents=True, exist_ok=True)
    for name, expected in FASHION_MNIST_MD5.items():
        target = raw / name
        if target.is_file() and _md5(target) == expected:
            continue
        with atomic_write(target) as out:
            with gzip.open(source / f"{name}.gz", "rb") as src:
                digest = hashlib.md5()
                for block in iter(lambda: src.read(1 << 20), b""):
                    digest.update(block)
                    out.write(block)
            if digest.hexdigest() != expected:
                raise ValueError(
                    f"{source / (name + '.gz')} decompresses to MD5 {digest.hexdigest()}, "
                    f"not the official {expected}: the file is damaged or not Fashion-MNIST"
                )


def _download_quietly(dataset_class: type[datasets.MNIST], root: Path) -> None:
    """torchvision's own download, its progress chatter captured so a failure stays one line."""
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        dataset_class(str(root), train=True, download=True)
        dataset_class(str(root), train=False, download=True)


def ensure_fashion_mnist(
    root: str | os.PathLike[str] | None = None,
    download: bool = True,
    system_dirs: tuple[Path, ...] | None = None,
) -> Path:
    """Make sure the decompressed Fashion-MNIST files are under ``root``; return the root.

    Raises:
        DatasetUnavailableError: nothing worked; the message lists each place tried and the fix.
    """
    root = data_root(root)
    if _fashion_files_present(root):
        return root
    tried = [f"{_raw_folder(root)}: the four IDX files are not there"]
    if download:
        try:
            _download_quietly(datasets.FashionMNIST, root)
            return root
        except Exception as error:  # noqa: BLE001 (torchvision raises RuntimeError, URLError, ...)
            tried.append(f"download with torchvision: {first_line(error)}")
    else:
        tried.append("download: not attempted (download=False)")
    for source in SYSTEM_DIRS if system_dirs is None else system_dirs:
        if not source.is_dir():
            tried.append(f"{source}: no such folder")
            continue
        try:
            provision_fashion_mnist(root, source)
            return root
        except (OSError, ValueError, EOFError) as error:
            tried.append(f"{source}: {error}")
    raise DatasetUnavailableError(
        "Fashion-MNIST is not available. Tried:\n  - "
        + "\n  - ".join(tried)
        + "\nFix: on Debian/Ubuntu run `sudo apt-get install dataset-fashion-mnist`; "
        "or connect to the internet and rerun; or copy the four official "
        f"*-ubyte.gz files into {_raw_folder(root)} (decompressed), "
        f"or point {ROOT_ENV_VAR} at a folder that holds FashionMNIST/raw/."
    )


def fashion_mnist(
    train: bool,
    root: str | os.PathLike[str] | None = None,
    transform=None,
    download: bool = True,
) -> datasets.FashionMNIST:
    """torchvision's ``FashionMNIST`` (60,000 train / 10,000 test images, 1x28x28), offline-safe.

    Each item is ``(image, label)``: a PIL image unless ``transform`` converts it.
    """
    path = ensure_fashion_mnist(root, download=download)
    return datasets.FashionMNIST(str(path), train=train, transform=transform, download=False)


def mnist(
    train: bool,
    root: str | os.PathLike[str] | None = None,
    transform=None,
    download: bool = True,
) -> datasets.MNIST:
    """torchvision's ``MNIST`` (the guide's example). It can only be downloaded.

    Raises:
        DatasetUnavailableError: the files are absent and the download failed or was not asked for.
    """
    path = data_root(root)
    try:
        return datasets.MNIST(str(path), train=train, transform=transform, download=False)
    except RuntimeError:
        pass
    if download:
        try:
            _download_quietly(datasets.MNIST, path)
            return datasets.MNIST(str(path), train=train, transform=transform, download=False)
        except Exception as error:  # noqa: BLE001 (any failure: report it and the offline fix)
            reason = f"the download failed ({first_line(error)})"
    else:
        reason = "download=False was passed"
    raise DatasetUnavailableError(
        f"MNIST is not under {path / 'MNIST' / 'raw'} and {reason}. "
        "MNIST has no offline copy in this course: connect to the internet and rerun, "
        "or use fashion_mnist(), a drop-in replacement with the same shapes."
    )


def as_tensors(
    dataset: Dataset,
    mean: float = FASHION_MEAN,
    std: float = FASHION_STD,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The whole dataset as ``(images, labels)``, converted and normalised once.

    Returns:
        images: float32 tensor of shape ``(N, 1, 28, 28)``, ``(pixel / 255 - mean) / std``.
        labels: int64 tensor of shape ``(N,)``.

    MNIST-style datasets (with uint8 ``.data`` and ``.targets``) convert in one vectorised
    step; any other dataset of ``(tensor image, label)`` pairs is stacked item by item,
    and is then expected to be normalised by its own transform already.
    """
    data = getattr(dataset, "data", None)
    targets = getattr(dataset, "targets", None)
    if isinstance(data, torch.Tensor) and data.dtype == torch.uint8 and targets is not None:
        images = data.unsqueeze(1).to(torch.float32).div_(255.0).sub_(mean).div_(std)
        return images, torch.as_tensor(targets, dtype=torch.int64).clone()
    items = [dataset[i] for i in range(len(dataset))]
    images = torch.stack([torch.as_tensor(image, dtype=torch.float32) for image, _ in items])
    labels = torch.tensor([int(label) for _, label in items], dtype=torch.int64)
    return images, labels


class TensorBatchLoader:
    """Batches sliced from tensors already in memory: the fast path's DataLoader.

    Iterating yields ``(images[b], labels[b])`` with ``b`` consecutive indices of a
    permutation drawn, when ``shuffle`` is on, from torch's *global* RNG at the start of
    each epoch. Restoring that RNG state (as a checkpoint does) therefore resumes the
    data order exactly. ``len()`` is the number of batches per epoch.

    Shapes: ``images`` ``(N, ...)``, ``labels`` ``(N,)``; batches ``(B, ...)`` and ``(B,)``.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int,
        shuffle: bool = False,
        drop_last: bool = False,
    ) -> None:
        if len(images) != len(labels):
            raise ValueError(f"images ({len(images)}) and labels ({len(labels)}) differ in length")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.images, self.labels = images, labels
        self.batch_size, self.shuffle, self.drop_last = batch_size, shuffle, drop_last

    @property
    def dataset_size(self) -> int:
        return len(self.labels)

    def __len__(self) -> int:
        n = self.dataset_size
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        images, labels = self.images, self.labels
        if self.shuffle:
            order = torch.randperm(self.dataset_size).to(images.device)
            # One gather per epoch, then contiguous slices (views): cheaper than a gather per batch.
            images, labels = images[order], labels[order]
        for i in range(len(self)):
            start = i * self.batch_size
            yield images[start : start + self.batch_size], labels[start : start + self.batch_size]


class Loaders(NamedTuple):
    """The three loaders of :func:`tensor_loaders`."""

    train: TensorBatchLoader
    val: TensorBatchLoader
    test: TensorBatchLoader


def tensor_loaders(
    root: str | os.PathLike[str] | None = None,
    batch_size: int = 256,
    val_fraction: float = 0.1,
    device: torch.device | str | None = None,
    split_seed: int = 0,
    eval_batch_size: int = 1024,
) -> Loaders:
    """Fashion-MNIST train/val/test loaders over tensors prepared once (the fast path).

    The train/val split is drawn from its own generator seeded with ``split_seed``, so it is
    the same whatever the global seed. Only the training loader shuffles (see
    :class:`TensorBatchLoader`). With ``device`` set, the tensors are moved there once and
    batches need no copy.
    """
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    train_images, train_labels = as_tensors(fashion_mnist(True, root))
    test_images, test_labels = as_tensors(fashion_mnist(False, root))
    if device is not None:
        device = torch.device(device)
        train_images, train_labels = train_images.to(device), train_labels.to(device)
        test_images, test_labels = test_images.to(device), test_labels.to(device)
    n_val = round(len(train_labels) * val_fraction)
    order = torch.randperm(len(train_labels), generator=torch.Generator().manual_seed(split_seed))
    order = order.to(train_images.device)
    val_idx, train_idx = order[:n_val], order[n_val:]
    return Loaders(
        train=TensorBatchLoader(train_images[train_idx], train_labels[train_idx], batch_size, shuffle=True),
        val=TensorBatchLoader(train_images[val_idx], train_labels[val_idx], eval_batch_size),
        test=TensorBatchLoader(test_images, test_labels, eval_batch_size),
    )
