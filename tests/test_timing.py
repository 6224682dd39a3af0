from __future__ import annotations

import time

import pytest

import utils


def test_median_ignores_warmup_and_outliers():
    calls = []

    def work():
        calls.append(None)
        # the warm-up call and one timed call are slow; the median must not see them
        time.sleep(0.2 if len(calls) in (1, 3) else 0.01)

    seconds = utils.median_seconds(work, "cpu", repeat=5, warmup=1)
    assert len(calls) == 6
    assert 0.005 < seconds < 0.1


def test_repeat_must_be_positive():
    with pytest.raises(ValueError, match="repeat"):
        utils.median_seconds(lambda: None, repeat=0)
