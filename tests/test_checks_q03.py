"""Question-3 self-check cases beyond the common ones (``test_checks_notebooks.py``: solutions pass,
stubs are named, random streams untouched). Wrong and other right answers are in ``tests/corpus``.
"""

from __future__ import annotations

import pytest
import torch

from notebook_functions import assert_passes, check_arguments, notebook_definitions


def test_a_failed_export_leaves_no_stale_cache_behind():
    """A first try without dynamic_shapes, then the right answer, on the same model in the same process."""
    solutions = notebook_definitions(3)
    check, (_, model, inputs) = check_arguments("q3_5_export", solutions)

    def export_static(model, example, path):
        program = torch.export.export(model, (example,))
        torch.export.save(program, path)
        return torch.export.load(path).module()

    with pytest.raises(AssertionError, match="dynamic"):
        check(export_static, model, inputs)
    assert_passes("3.5", check, solutions["export_and_reload"], model, inputs)


def test_a_training_mode_forward_after_loading_is_named_by_batch_norms_counter():
    """A load that runs the model once in training mode: BatchNorm's counter says so, not "off by inf"."""
    from types import SimpleNamespace

    from torch import nn

    from notebook_functions import assert_fails

    solutions = notebook_definitions(3)
    generator = torch.Generator().manual_seed(5)
    images, labels = torch.randn(64, 1, 4, 4, generator=generator), torch.randint(0, 3, (64,), generator=generator)

    def new_run():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
        loader = solutions["TensorBatchLoader"](images, labels, batch_size=16, shuffle=True)
        return SimpleNamespace(model=model, optimizer=optimizer, scheduler=scheduler, loader=loader)

    def train_epochs(run, first, last):
        for _ in range(first, last):
            run.model.train()
            for x, y in run.loader:
                run.optimizer.zero_grad()
                nn.functional.cross_entropy(run.model(x), y).backward()
                run.optimizer.step()
            run.scheduler.step()

    def load_and_try_it(path, run):
        epoch = solutions["load_training_state"](path, run)
        run.model(torch.randn(4, 1, 4, 4, generator=torch.Generator().manual_seed(1)))  # "does it still work?"
        return epoch

    straight = new_run()
    train_epochs(straight, 0, 4)
    check, _ = check_arguments("q3_3", solutions)
    arguments = (new_run, train_epochs, straight, 4, 2)
    assert_passes("3.3", check, solutions["save_training_state"], solutions["load_training_state"], *arguments)
    assert_fails(
        "3.3",
        check,
        solutions["save_training_state"],
        load_and_try_it,
        *arguments,
        hint=r"2\.num_batches_tracked is 17, the uninterrupted run's 16.*no forward pass",
    )
