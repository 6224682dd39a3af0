"""utils.runs: mean and spread over seeded runs."""

from __future__ import annotations

import statistics

import pytest

import utils
from utils.runs import epoch_spread, spread


def run(val_losses: list[float], val_acc: float = 0.8) -> utils.History:
    history = utils.History()
    for epoch, loss in enumerate(val_losses, start=1):
        history.epochs.append(utils.EpochStats(epoch, 2 * loss, 0.9, loss, val_acc, 1e-3, 0.1))
    return history


def test_spread_is_mean_and_sample_std():
    assert spread([1.0, 2.0, 3.0]) == utils.Spread(2.0, 1.0)
    assert spread([0.5]) == utils.Spread(0.5, 0.0)
    assert str(utils.Spread(0.88631, 0.00412)) == "0.8863 ± 0.0041"
    with pytest.raises(ValueError, match="at least one value"):
        spread([])


def test_summary_of_three_seeds():
    runs = [run([0.5, 0.30], 0.88), run([0.5, 0.40], 0.89), run([0.5, 0.20], 0.90)]
    summary = utils.summarize_runs(runs)
    assert (summary.runs, summary.epochs) == (3, 2)
    assert summary.val_loss.mean == pytest.approx(0.3) and summary.val_loss.std == pytest.approx(0.1)
    assert summary.val_acc.mean == pytest.approx(0.89)
    assert summary.val_acc.std == pytest.approx(statistics.stdev([0.88, 0.89, 0.90]))
    assert summary.train_loss.mean == pytest.approx(0.6)
    assert summary.best_val_loss.mean == pytest.approx(0.3)  # min of each run: 0.30, 0.40, 0.20
    assert "over 3 seeds, 2 epochs" in str(summary) and "val acc 0.8900 ± 0.0100" in str(summary)


def test_best_val_loss_is_the_minimum_of_each_run():
    summary = utils.summarize_runs([run([0.3, 0.5]), run([0.1, 0.5])])
    assert summary.best_val_loss.mean == pytest.approx(0.2)
    assert summary.val_loss.mean == pytest.approx(0.5)


def test_epoch_spread_per_epoch():
    values = epoch_spread([run([1.0, 0.2]), run([3.0, 0.4])], "val_loss")
    assert [v.mean for v in values] == pytest.approx([2.0, 0.3])


@pytest.mark.parametrize(
    ("runs", "message"),
    [
        ([], "no runs"),
        ([run([0.1]), run([0.1, 0.2])], "different numbers of epochs"),
        ([utils.History()], "no epochs"),
    ],
)
def test_bad_runs_are_refused_with_the_fix(runs, message):
    with pytest.raises(ValueError, match=message):
        utils.summarize_runs(runs)


def test_a_single_history_is_refused():
    with pytest.raises(TypeError, match="one per seed"):
        utils.summarize_runs(run([0.1]))
