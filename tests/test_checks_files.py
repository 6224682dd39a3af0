"""watching() (utils/checks/_files.py): which files the code read back, and what was there when it deleted one."""

from __future__ import annotations

import os

import torch
from torch import load as imported_load  # an alias taken before the watch: still seen
from torch import nn

import utils
from utils.checks._files import watching


def test_reads_and_writes_of_torch_save_and_load(tmp_path):
    state = nn.Linear(2, 2).state_dict()
    with watching(tmp_path) as activity:
        torch.save(state, tmp_path / "w.pth")
    assert activity.written == ["w.pth"] and activity.read == [] and activity.observed_writes
    with watching(tmp_path) as activity:
        imported_load(tmp_path / "w.pth", weights_only=True)
    assert "w.pth" in activity.read
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with watching(elsewhere) as other:
        torch.load(tmp_path / "w.pth", weights_only=True)
    assert other.read == [], "only the watched folder counts"


def test_torch_export_save_and_load_are_seen(tmp_path):
    program = torch.export.export(nn.Linear(3, 2), (torch.randn(4, 3),))
    with watching(tmp_path) as activity:
        torch.export.save(program, tmp_path / "m.pt2")
        torch.export.load(tmp_path / "m.pt2")
    assert activity.written == ["m.pt2"] and activity.read == ["m.pt2"]
    assert torch._C.PyTorchFileReader.__name__ == "PyTorchFileReader", "the zip reader is put back"


def test_a_deletion_records_what_the_folder_held(tmp_path):
    model = nn.Linear(2, 2)
    with watching(tmp_path) as activity:
        utils.save_checkpoint(tmp_path / "a.pth", model)
        utils.save_checkpoint(tmp_path / "b.pth", model)
        os.remove(tmp_path / "a.pth")
        (tmp_path / "b.pth").unlink()
    deleted = {name: present for name, present in activity.deleted if not name.startswith(".")}
    assert deleted == {"a.pth": ["a.pth", "b.pth"], "b.pth": ["b.pth"]}
    assert "a.pth" in activity.written and "b.pth" in activity.written
