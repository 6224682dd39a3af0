from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torchvision import transforms

import utils
from utils import data as data_module


@pytest.fixture(scope="module")
def raw_files() -> dict[str, bytes]:
    """The decompressed official files, as provisioned by `make data`."""
    raw = utils.ensure_fashion_mnist() / "FashionMNIST" / "raw"
    return {name: (raw / name).read_bytes() for name in data_module.FASHION_MNIST_MD5}


@pytest.fixture
def offline(monkeypatch):
    """torchvision's download fails, as it does without internet."""

    def fail(dataset_class, root):
        raise RuntimeError("Error downloading: <urlopen error [Errno -2] Name or service not known>")

    monkeypatch.setattr(data_module, "_download_quietly", fail)


def make_debian_folder(folder: Path, raw_files: dict[str, bytes], damage: str | None = None) -> Path:
    folder.mkdir(parents=True)
    for name, content in raw_files.items():
        if name == damage:
            middle = len(content) // 2
            content = (
                content[:middle] + bytes(255 - b for b in content[middle : middle + 100]) + content[middle + 100 :]
            )
        (folder / f"{name}.gz").write_bytes(gzip.compress(content, compresslevel=1, mtime=0))
    return folder


def test_provisions_from_debian_folder_when_download_fails(tmp_path, raw_files, offline):
    debian = make_debian_folder(tmp_path / "debian", raw_files)
    root = utils.ensure_fashion_mnist(tmp_path / "data", system_dirs=(tmp_path / "absent", debian))
    for name, content in raw_files.items():
        assert (root / "FashionMNIST" / "raw" / name).read_bytes() == content
    assert len(utils.fashion_mnist(train=False, root=root, download=False)) == 10_000


def test_damaged_copy_is_rejected_and_not_installed(tmp_path, raw_files, offline):
    debian = make_debian_folder(tmp_path / "debian", raw_files, damage="t10k-images-idx3-ubyte")
    with pytest.raises(utils.DatasetUnavailableError) as error:
        utils.ensure_fashion_mnist(tmp_path / "data", system_dirs=(debian,))
    assert "not the official" in str(error.value)
    raw = tmp_path / "data" / "FashionMNIST" / "raw"
    assert not (raw / "t10k-images-idx3-ubyte").exists()
    assert not list(raw.glob(".*.tmp")), "a temporary file was left behind"


def test_error_lists_every_place_tried_and_the_fix(tmp_path, offline):
    with pytest.raises(utils.DatasetUnavailableError) as error:
        utils.ensure_fashion_mnist(tmp_path / "data", system_dirs=(tmp_path / "nowhere",))
    message = str(error.value)
    assert str(tmp_path / "data" / "FashionMNIST" / "raw") in message
    assert "download with torchvision: RuntimeError" in message
    assert f"{tmp_path / 'nowhere'}: no such folder" in message
    assert "apt-get install dataset-fashion-mnist" in message and "HW08_DATA" in message


def test_download_false_skips_download(tmp_path, monkeypatch):
    def must_not_download(*args):
        raise AssertionError("download attempted although download=False")

    monkeypatch.setattr(data_module, "_download_quietly", must_not_download)
    with pytest.raises(utils.DatasetUnavailableError, match="not attempted"):
        utils.ensure_fashion_mnist(tmp_path, download=False, system_dirs=())


def test_data_root_order(monkeypatch, tmp_path):
    monkeypatch.setenv("HW08_DATA", str(tmp_path / "env"))
    assert utils.data_root() == tmp_path / "env"
    assert utils.data_root(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("HW08_DATA")
    assert utils.data_root() == data_module.DEFAULT_ROOT


def test_mnist_says_it_needs_internet(tmp_path, offline):
    with pytest.raises(utils.DatasetUnavailableError, match="internet"):
        utils.mnist(train=True, root=tmp_path)


def test_an_error_without_message_is_still_reported(tmp_path, monkeypatch):
    def fail(dataset_class, root):
        raise ConnectionError()

    monkeypatch.setattr(data_module, "_download_quietly", fail)
    with pytest.raises(utils.DatasetUnavailableError, match=r"the download failed \(ConnectionError\)"):
        utils.mnist(train=True, root=tmp_path)
    with pytest.raises(utils.DatasetUnavailableError, match="download with torchvision: ConnectionError\n"):
        utils.ensure_fashion_mnist(tmp_path, system_dirs=())


def test_fashion_mnist_items_and_classes():
    dataset = utils.fashion_mnist(train=True)
    assert len(dataset) == 60_000
    image, label = dataset[0]
    assert image.size == (28, 28) and 0 <= label < 10
    assert list(utils.FASHION_CLASSES) == dataset.classes


def test_normalisation_constants_match_the_training_set():
    pixels = utils.fashion_mnist(train=True).data.float() / 255
    assert abs(pixels.mean().item() - utils.FASHION_MEAN) < 5e-4
    assert abs(pixels.std().item() - utils.FASHION_STD) < 5e-4


def test_as_tensors_equals_the_stock_transform():
    stock = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((utils.FASHION_MEAN,), (utils.FASHION_STD,))]
    )
    dataset = utils.fashion_mnist(train=False)
    images, labels = utils.as_tensors(dataset)
    assert images.shape == (10_000, 1, 28, 28) and images.dtype == torch.float32
    assert labels.shape == (10_000,) and labels.dtype == torch.int64
    for index in (0, 1234, 9999):
        torch.testing.assert_close(images[index], stock(dataset[index][0]))
        assert labels[index].item() == dataset[index][1]


def test_as_tensors_generic_dataset():
    pairs = [(torch.full((1, 2, 2), float(i)), i % 3) for i in range(5)]
    images, labels = utils.as_tensors(pairs)
    assert images.shape == (5, 1, 2, 2) and labels.tolist() == [0, 1, 2, 0, 1]


def test_batch_loader_covers_every_sample_once():
    images, labels = torch.arange(10.0).reshape(10, 1), torch.arange(10)
    loader = utils.TensorBatchLoader(images, labels, batch_size=4, shuffle=True)
    assert len(loader) == 3
    batches = list(loader)
    assert [len(y) for _, y in batches] == [4, 4, 2]
    seen = torch.cat([y for _, y in batches])
    assert sorted(seen.tolist()) == list(range(10))
    assert all(torch.equal(x[:, 0].long(), y) for x, y in batches), "images and labels were shuffled apart"
    assert len(utils.TensorBatchLoader(images, labels, 4, drop_last=True)) == 2


def test_batch_loader_order_follows_the_global_rng():
    loader = utils.TensorBatchLoader(torch.zeros(100, 1), torch.arange(100), batch_size=100, shuffle=True)
    torch.manual_seed(7)
    first_epoch, second_epoch = [next(iter(loader))[1] for _ in range(2)]
    assert not torch.equal(first_epoch, second_epoch)
    torch.manual_seed(7)
    assert torch.equal(next(iter(loader))[1], first_epoch)
    unshuffled = utils.TensorBatchLoader(torch.zeros(100, 1), torch.arange(100), batch_size=100)
    assert torch.equal(next(iter(unshuffled))[1], torch.arange(100))


def test_batch_loader_rejects_bad_input():
    with pytest.raises(ValueError, match="differ in length"):
        utils.TensorBatchLoader(torch.zeros(3, 1), torch.zeros(4), 2)
    with pytest.raises(ValueError, match="batch_size"):
        utils.TensorBatchLoader(torch.zeros(3, 1), torch.zeros(3), 0)


def test_tensor_loaders_split_is_seeded_and_disjoint():
    torch.manual_seed(1)
    loaders = utils.tensor_loaders(batch_size=512, val_fraction=0.1)
    torch.manual_seed(2)  # the global seed must not change the split
    again = utils.tensor_loaders(batch_size=512, val_fraction=0.1)
    assert loaders.train.dataset_size == 54_000 and loaders.val.dataset_size == 6_000
    assert loaders.test.dataset_size == 10_000 and len(loaders.train) == 106
    assert torch.equal(loaders.val.images, again.val.images)
    train_rows = {row.numpy().tobytes() for row in loaders.train.images[:2000].flatten(1)}
    assert not any(row.numpy().tobytes() in train_rows for row in loaders.val.images.flatten(1))
    other = utils.tensor_loaders(batch_size=512, val_fraction=0.1, split_seed=1)
    assert not torch.equal(loaders.val.labels, other.val.labels)


def test_tensor_loaders_on_device(test_device):
    loaders = utils.tensor_loaders(batch_size=64, device=test_device)
    images, _labels = next(iter(loaders.train))
    assert images.device.type == test_device.type and images.shape == (64, 1, 28, 28)


def test_tensor_loaders_rejects_bad_fraction():
    with pytest.raises(ValueError, match="val_fraction"):
        utils.tensor_loaders(val_fraction=1.5)


@pytest.fixture
def data_copy(tmp_path, raw_files) -> Path:
    """A data root whose raw files are links to the real ones (tests replace the ones they damage)."""
    raw = tmp_path / "data" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    source = utils.ensure_fashion_mnist() / "FashionMNIST" / "raw"
    for name, content in raw_files.items():
        try:
            (raw / name).symlink_to(source / name)
        except OSError:  # no symbolic links here (Windows without the privilege): copy
            (raw / name).write_bytes(content)
    return tmp_path / "data"


def damage(root: Path, name: str, content: bytes) -> Path:
    path = root / "FashionMNIST" / "raw" / name
    path.unlink()
    path.write_bytes(content)
    return path


def good_copy_of(folder: Path, raw_files: dict[str, bytes], *names: str) -> Path:
    """A Debian-like folder holding only the ``.gz`` of ``names``."""
    folder.mkdir()
    for name in names:
        (folder / f"{name}.gz").write_bytes(gzip.compress(raw_files[name], compresslevel=1, mtime=0))
    return folder


@pytest.mark.parametrize(
    ("name", "broken"),
    [
        ("t10k-images-idx3-ubyte", lambda good: good[:1000]),  # truncated
        ("t10k-labels-idx1-ubyte", lambda good: b""),  # empty
        ("t10k-labels-idx1-ubyte", lambda good: good[:8] + bytes([200]) * (len(good) - 8)),  # labels set to 200
    ],
    ids=["truncated-images", "empty-labels", "labels-200"],
)
def test_damaged_file_in_the_data_root_is_replaced_from_a_good_copy(
    data_copy, raw_files, tmp_path, offline, name, broken
):
    path = damage(data_copy, name, broken(raw_files[name]))
    debian = good_copy_of(tmp_path / "debian", raw_files, name)
    with pytest.warns(UserWarning, match=f"replaced damaged Fashion-MNIST files from {debian}: {name} has"):
        utils.ensure_fashion_mnist(data_copy, system_dirs=(debian,))
    assert path.read_bytes() == raw_files[name]
    dataset = utils.fashion_mnist(train=False, root=data_copy, download=False)
    assert len(dataset) == 10_000 and int(dataset.targets.max()) == 9


@pytest.mark.parametrize(
    ("broken", "reason"),
    [(b"", "has 0 bytes instead of 10,008"), (None, "has MD5 [0-9a-f]{32}, not the official")],
)
def test_damaged_file_without_a_good_copy_is_reported_with_the_fix(data_copy, raw_files, offline, broken, reason):
    name = "t10k-labels-idx1-ubyte"
    good = raw_files[name]
    damage(data_copy, name, good[:8] + bytes([200]) * (len(good) - 8) if broken is None else broken)
    with pytest.raises(utils.DatasetUnavailableError) as error:
        utils.ensure_fashion_mnist(data_copy, system_dirs=())
    message = str(error.value)
    assert re.search(f"{name} {reason}", message), message
    assert "removed the damaged" in message and "apt-get install dataset-fashion-mnist" in message


def test_md5_is_computed_once_then_cached_by_size_and_mtime(data_copy, monkeypatch):
    hashed = []
    real_md5 = data_module._md5
    monkeypatch.setattr(data_module, "_md5", lambda path: hashed.append(path.name) or real_md5(path))
    assert data_module.fashion_mnist_problems(data_copy) == {}
    assert sorted(hashed) == sorted(data_module.FASHION_MNIST_MD5)
    assert (data_copy / "FashionMNIST" / "raw" / data_module.MD5_CACHE).is_file()
    hashed.clear()
    assert data_module.fashion_mnist_problems(data_copy) == {}
    assert hashed == [], "the MD5s were computed again although no file changed"
    labels = damage(
        data_copy,
        "t10k-labels-idx1-ubyte",
        utils.ensure_fashion_mnist().joinpath("FashionMNIST", "raw", "t10k-labels-idx1-ubyte").read_bytes(),
    )
    os.utime(labels, ns=(0, 10**18))  # same size, new modification time: hashed again
    assert data_module.fashion_mnist_problems(data_copy) == {}
    assert hashed == ["t10k-labels-idx1-ubyte"]


def test_unwritable_md5_cache_is_not_an_error(data_copy, monkeypatch):
    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(data_module, "atomic_write", read_only)
    assert data_module.fashion_mnist_problems(data_copy) == {}


@pytest.mark.skipif(sys.platform == "win32", reason="Windows cannot probe a pid safely: only the age rule applies")
def test_temporary_files_of_a_killed_run_are_cleaned(data_copy):
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    raw = data_copy / "FashionMNIST" / "raw"
    leftover = raw / f".train-images-idx3-ubyte.hw08-{process.pid}-0badc0de.tmp"
    leftover.write_bytes(b"\0" * 1000)
    utils.ensure_fashion_mnist(data_copy, system_dirs=())
    assert not leftover.exists()


def test_relative_hw08_data_is_relative_to_the_project_folder(monkeypatch, tmp_path):
    """The same folder for `make` (run in the project folder) and for a kernel running in notebooks/."""
    monkeypatch.setenv("HW08_DATA", "shared data")
    for folder in (tmp_path, data_module.REPO_ROOT / "notebooks", data_module.REPO_ROOT):
        monkeypatch.chdir(folder)
        assert utils.data_root() == data_module.REPO_ROOT / "shared data"
    monkeypatch.setenv("HW08_DATA", str(tmp_path / "absolute"))
    assert utils.data_root() == tmp_path / "absolute"


@pytest.mark.parametrize("fraction", [0, 0.0, -0.1, 1, True, "0.1"])
def test_val_fraction_without_a_validation_sample_is_refused_before_loading(monkeypatch, fraction):
    monkeypatch.setattr(data_module, "fashion_mnist", lambda *a, **k: pytest.fail("loaded the data first"))
    with pytest.raises(ValueError, match="val_fraction must be a fraction strictly between 0 and 1"):
        utils.tensor_loaders(val_fraction=fraction)


def test_val_fraction_too_small_for_one_sample_names_the_validation_loader():
    with pytest.raises(ValueError, match="leaves the validation loader empty"):
        utils.tensor_loaders(val_fraction=1e-6)


def test_tensor_loaders_on_a_missing_device_is_refused_before_loading(monkeypatch):
    monkeypatch.delenv("HW08_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(data_module, "fashion_mnist", lambda *a, **k: pytest.fail("loaded the data first"))
    with pytest.raises(utils.DeviceUnavailableError, match="device='cuda'"):
        utils.tensor_loaders(device="cuda")


def test_batch_loader_behaves_like_a_dataloader_where_students_touch_it():
    images, labels = torch.randn(10, 1, 2, 2), torch.arange(10)
    loader = utils.TensorBatchLoader(images, labels, batch_size=4, shuffle=True)
    stock = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, labels), batch_size=4)
    assert len(loader.dataset) == len(stock.dataset) == 10
    assert len(loader) == len(stock) == 3
    assert loader.batch_size == stock.batch_size == 4
    image, label = loader.dataset[3]
    assert torch.equal(image, images[3]) and label == 3
    assert "10 samples" in repr(loader) and "3 batches" in repr(loader)


def test_batch_loader_refuses_non_tensors():
    with pytest.raises(TypeError, match="must be tensors"):
        utils.TensorBatchLoader([[0.0]], torch.zeros(1), 1)
    with pytest.raises(ValueError, match="batch_size"):
        utils.TensorBatchLoader(torch.zeros(3, 1), torch.zeros(3), 2.5)
    with pytest.raises(ValueError, match="meta device"):
        utils.TensorBatchLoader(torch.zeros(3, 1, device="meta"), torch.zeros(3, device="meta"), 2)
