from __future__ import annotations

import gzip
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
