"""Fashion-MNIST that works offline, and the fast tensor path for training (lessons: Q2.1, Q2.4-6, Q3).

Two ways to feed a model, both taught in question 2:

* the stock pipeline: ``fashion_mnist(train, transform=...)`` returns torchvision's dataset,
  whose ``__getitem__`` builds a PIL image per sample and converts it to a tensor;
* the tensor path: ``tensor_loaders()`` converts the whole dataset to one normalised float32
  tensor once, and its loaders slice batches out of it (≈10x faster on a laptop CPU).

Where the files come from, in order: the data root (argument, else ``HW08_DATA``, else
``<repo>/data``); Debian's ``dataset-fashion-mnist`` package (``/usr/share/datasets/fashion-mnist``);
torchvision's download. Files are verified, not trusted by name: each must have the official
size and MD5 (computed once, then cached by size and modification time in ``.hw08-md5.json``
beside the files). A missing or damaged file is replaced from the next source, with a warning.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import math
import os
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import torch
from torch.utils.data import Dataset, TensorDataset
from torchvision import datasets

from .atomic import atomic_write, remove_stale_temporaries
from .device import require_device
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
#: Size in bytes of each official file after decompression.
FASHION_MNIST_SIZE = {
    "train-images-idx3-ubyte": 47_040_016,
    "train-labels-idx1-ubyte": 60_008,
    "t10k-images-idx3-ubyte": 7_840_016,
    "t10k-labels-idx1-ubyte": 10_008,
}
#: ``{file name: {"size", "mtime_ns", "md5"}}`` beside the files: each MD5 is computed once.
MD5_CACHE = ".hw08-md5.json"

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
    """The data folder: ``root``, else ``$HW08_DATA``, else ``<repo>/data``.

    ``root`` is a path like any other (relative to the current folder). A relative
    ``HW08_DATA`` is taken relative to the project folder (the one holding ``utils/``), so
    ``make`` and a kernel running in ``notebooks/`` find the same folder.
    """
    if root is not None:
        return Path(root).expanduser()
    env = os.environ.get(ROOT_ENV_VAR, "").strip()
    if not env:
        return DEFAULT_ROOT
    path = Path(env).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _raw_folder(root: Path) -> Path:
    return root / "FashionMNIST" / "raw"


def _read_md5_cache(raw: Path) -> dict:
    try:
        cache = json.loads((raw / MD5_CACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return cache if isinstance(cache, dict) else {}


def _write_md5_cache(raw: Path, cache: dict) -> None:
    try:
        with atomic_write(raw / MD5_CACHE) as handle:
            handle.write(json.dumps(cache, indent=1, sort_keys=True).encode("utf-8"))
    except OSError:
        pass  # a read-only data folder: the MD5s are computed again next time


def fashion_mnist_problems(root: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """``{file name: what is wrong}`` for each of the four files under ``root`` that is missing,
    of the wrong size or with the wrong MD5; empty when all four are the official files."""
    raw = _raw_folder(data_root(root))
    cache = _read_md5_cache(raw)
    changed = False
    problems = {}
    for name, expected in FASHION_MNIST_MD5.items():
        path = raw / name
        try:
            stat = path.stat()
        except OSError:
            problems[name] = "is missing"
            continue
        if stat.st_size != FASHION_MNIST_SIZE[name]:
            problems[name] = f"has {stat.st_size:,} bytes instead of {FASHION_MNIST_SIZE[name]:,} (truncated?)"
            continue
        key = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        entry = cache.get(name)
        if isinstance(entry, dict) and {k: entry.get(k) for k in key} == key and isinstance(entry.get("md5"), str):
            digest = entry["md5"]
        else:
            digest = _md5(path)
            cache[name] = {**key, "md5": digest}
            changed = True
        if digest != expected:
            problems[name] = f"has MD5 {digest}, not the official {expected} (damaged or edited)"
    if changed and raw.is_dir():
        _write_md5_cache(raw, cache)
    return problems


def provision_fashion_mnist(root: Path, source: Path, names: Iterable[str] | None = None) -> None:
    """Decompress the official ``.gz`` files from ``source`` into ``root/FashionMNIST/raw``.

    ``names`` (default: every file that is missing or wrong) are written. Each file's content
    is checked against :data:`FASHION_MNIST_MD5` before it is moved into place (write to a
    temporary file, then ``os.replace``), so a bad or partial copy never appears under the
    expected name.

    Raises:
        FileNotFoundError: a ``.gz`` file is missing from ``source``.
        ValueError: a file's content does not match the official MD5.
    """
    raw = _raw_folder(root)
    names = list(fashion_mnist_problems(root) if names is None else names)
    for name in names:
        if not (source / f"{name}.gz").is_file():
            raise FileNotFoundError(f"{source / (name + '.gz')} is missing")
    raw.mkdir(parents=True, exist_ok=True)
    for name in names:
        expected = FASHION_MNIST_MD5[name]
        with atomic_write(raw / name) as out:
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


def _describe(problems: dict[str, str]) -> str:
    return "; ".join(f"{name} {problem}" for name, problem in problems.items())


def ensure_fashion_mnist(
    root: str | os.PathLike[str] | None = None,
    download: bool = True,
    system_dirs: tuple[Path, ...] | None = None,
) -> Path:
    """Make sure the official decompressed Fashion-MNIST files are under ``root``; return the root.

    Each file is checked (size, and MD5 once per version of the file); temporary files of a
    killed earlier run are removed. Missing or damaged files are replaced from Debian's copy,
    else by torchvision's download; a replaced damaged file is reported with a warning.

    Raises:
        DatasetUnavailableError: nothing worked; the message lists each place tried and the fix.
    """
    root = data_root(root)
    raw = _raw_folder(root)
    remove_stale_temporaries(raw)
    problems = fashion_mnist_problems(root)
    if not problems:
        return root
    damaged = {name: problem for name, problem in problems.items() if problem != "is missing"}
    tried = [f"{raw}: {_describe(problems)}"]

    def repaired(source: str) -> bool:
        nonlocal problems
        problems = fashion_mnist_problems(root)
        if problems:
            tried.append(f"{source}: the files are still not right: {_describe(problems)}")
            return False
        if damaged:
            warnings.warn(f"replaced damaged Fashion-MNIST files from {source}: {_describe(damaged)}", stacklevel=3)
        return True

    for source in SYSTEM_DIRS if system_dirs is None else system_dirs:
        if not source.is_dir():
            tried.append(f"{source}: no such folder")
            continue
        try:
            provision_fashion_mnist(root, source, names=list(problems))
        except (OSError, ValueError, EOFError) as error:
            tried.append(f"{source}: {error}")
            continue
        if repaired(str(source)):
            return root
    if download:
        for name in damaged:  # torchvision skips the download while all four names exist
            with contextlib.suppress(OSError):
                (raw / name).unlink()
                tried.append(f"removed the damaged {raw / name} before downloading it again")
        try:
            _download_quietly(datasets.FashionMNIST, root)
        except Exception as error:  # noqa: BLE001 -- torchvision raises RuntimeError, URLError, OSError...
            tried.append(f"download with torchvision: {first_line(error)}")
        else:
            if repaired("torchvision's download"):
                return root
    else:
        tried.append("download: not attempted (download=False)")
    raise DatasetUnavailableError(
        "Fashion-MNIST is not available. Tried:\n  - "
        + "\n  - ".join(tried)
        + "\nFix: on Debian/Ubuntu run `sudo apt-get install dataset-fashion-mnist`; "
        "or connect to the internet and rerun; or copy the four official "
        f"*-ubyte.gz files into {raw} (decompressed), "
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
        except Exception as error:  # noqa: BLE001 (torchvision raises RuntimeError, URLError, ...)
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


def _held_elsewhere(tensor: torch.Tensor) -> bool:
    """Whether anything but ``tensor`` itself (a view, a saved tensor of a graph) uses its memory."""
    use_count = getattr(torch._C, "_storage_Use_Count", None)
    if use_count is None:  # no way to tell in this torch: assume it is held
        return True
    storage = tensor.untyped_storage()  # this wrapper is one more use
    return use_count(storage._cdata) > 2


class TensorBatchLoader:
    """Batches sliced from tensors already in memory: the fast path's DataLoader.

    Iterating yields ``(images[b], labels[b])`` with ``b`` consecutive indices of a
    permutation drawn, when ``shuffle`` is on, from torch's *global* RNG at the start of
    each epoch. Restoring that RNG state (as a checkpoint does) therefore resumes the
    data order exactly.

    A shuffled epoch gathers the data once into a shuffled copy and yields slices (views) of
    it. The copy's memory is reused from epoch to epoch (no 170 MB allocation per epoch) as
    long as nothing outside the loader still holds a batch of the last epoch; when something
    does, a new copy is made, so a batch kept from an earlier epoch never changes.

    Like a ``DataLoader``: ``len(loader)`` is the number of batches per epoch,
    ``loader.batch_size`` the batch size, and ``loader.dataset`` a ``TensorDataset`` of the
    two tensors, so ``len(loader.dataset)`` is the number of samples.

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
        if not isinstance(images, torch.Tensor) or not isinstance(labels, torch.Tensor):
            raise TypeError(
                f"images and labels must be tensors, got {type(images).__name__} and {type(labels).__name__} "
                "(torch.as_tensor converts arrays and lists)"
            )
        if images.is_meta or labels.is_meta:
            raise ValueError("images and labels are on the meta device (shapes without data): nothing to load")
        if images.dim() == 0 or len(images) != len(labels):
            raise ValueError(f"images ({tuple(images.shape)}) and labels ({tuple(labels.shape)}) differ in length")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a whole number of at least 1, got {batch_size!r}")
        self.images, self.labels = images, labels
        self.batch_size, self.shuffle, self.drop_last = batch_size, shuffle, drop_last
        self.dataset = TensorDataset(images, labels)
        self._order: tuple[torch.Tensor, torch.Tensor] | None = None  # the permutation, on the CPU and the device
        self._shuffled: tuple[torch.Tensor, torch.Tensor] | None = None  # the last epoch's shuffled copy

    def _shuffled_copy(self) -> tuple[torch.Tensor, torch.Tensor]:
        """This epoch's shuffled images and labels, in reused memory when no batch of the last epoch is held."""
        n = self.dataset_size
        if self._order is None:
            cpu = torch.empty(n, dtype=torch.long)
            self._order = (
                cpu,
                cpu if self.images.device.type == "cpu" else torch.empty_like(cpu, device=self.images.device),
            )
        cpu, order = self._order
        torch.randperm(n, out=cpu)  # the same draw from the global RNG as torch.randperm(n)
        if order is not cpu:
            order.copy_(cpu)
        if self._shuffled is None or any(_held_elsewhere(tensor) for tensor in self._shuffled):
            self._shuffled = (torch.empty_like(self.images), torch.empty_like(self.labels))
        images, labels = self._shuffled
        torch.index_select(self.images, 0, order, out=images)
        torch.index_select(self.labels, 0, order.to(self.labels.device), out=labels)
        return images, labels

    @property
    def dataset_size(self) -> int:
        """The number of samples, ``len(loader.dataset)``."""
        return len(self.labels)

    def __len__(self) -> int:
        n = self.dataset_size
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        # One gather per epoch, then contiguous slices (views): cheaper than a gather per batch.
        images, labels = self._shuffled_copy() if self.shuffle else (self.images, self.labels)
        for i in range(len(self)):
            start = i * self.batch_size
            yield images[start : start + self.batch_size], labels[start : start + self.batch_size]

    def __repr__(self) -> str:
        return (
            f"TensorBatchLoader({self.dataset_size} samples {tuple(self.images.shape[1:])} on {self.images.device}, "
            f"batch_size={self.batch_size}, shuffle={self.shuffle}, {len(self)} batches)"
        )


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

    Raises:
        ValueError: a ``val_fraction`` that leaves the validation or the training loader empty,
            or a bad ``device`` (see :func:`utils.device.require_device`).
    """
    if isinstance(val_fraction, bool) or not isinstance(val_fraction, (int, float)) or not 0.0 < val_fraction < 1.0:
        raise ValueError(
            f"val_fraction must be a fraction strictly between 0 and 1 (e.g. 0.1), got {val_fraction!r}: "
            "the validation loader needs samples to validate on"
        )
    if device is not None:
        device = require_device(device)
    train_images, train_labels = as_tensors(fashion_mnist(True, root))
    test_images, test_labels = as_tensors(fashion_mnist(False, root))
    n_val = round(len(train_labels) * val_fraction)
    if not 0 < n_val < len(train_labels):
        which = "validation" if n_val == 0 else "training"
        raise ValueError(
            f"val_fraction={val_fraction} leaves the {which} loader empty ({n_val} of {len(train_labels)} "
            "samples for validation): use a fraction such as 0.1"
        )
    if device is not None:
        train_images, train_labels = train_images.to(device), train_labels.to(device)
        test_images, test_labels = test_images.to(device), test_labels.to(device)
    order = torch.randperm(len(train_labels), generator=torch.Generator().manual_seed(split_seed))
    order = order.to(train_images.device)
    val_idx, train_idx = order[:n_val], order[n_val:]
    return Loaders(
        train=TensorBatchLoader(train_images[train_idx], train_labels[train_idx], batch_size, shuffle=True),
        val=TensorBatchLoader(train_images[val_idx], train_labels[val_idx], eval_batch_size),
        test=TensorBatchLoader(test_images, test_labels, eval_batch_size),
    )
