from __future__ import annotations

import pytest
import torch
from matplotlib.figure import Figure

import utils
from utils.initialisation import LayerStatistics


def history(offset: float = 0.0) -> utils.History:
    run = utils.History()
    for epoch in range(1, 4):
        run.epochs.append(utils.EpochStats(epoch, 1 / epoch + offset, 0.5 + epoch / 10, 1.2 / epoch, 0.5, 1e-3, 0.1))
    return run


def test_learning_curves_one_run():
    fig = utils.plot_learning_curves(history())
    assert isinstance(fig, Figure)
    loss_ax, acc_ax = fig.axes
    assert len(loss_ax.lines) == 2 and len(acc_ax.lines) == 2
    assert list(loss_ax.lines[0].get_ydata()) == pytest.approx([1.0, 0.5, 1 / 3])


def test_learning_curves_compare_runs():
    fig = utils.plot_learning_curves({"SGD": history(), "Adam": history(0.1)})
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert labels == ["SGD train", "SGD validation", "Adam train", "Adam validation"]


def test_runs_differ_by_marker_not_only_by_colour():
    fig = utils.plot_learning_curves({"SGD": history(), "Adam": history(0.1), "AdamW": history(0.2)})
    for ax in fig.axes:
        markers = [line.get_marker() for line in ax.lines]
        assert markers[0::2] == markers[1::2], "a run's train and validation curves share its marker"
        assert len(set(markers[0::2])) == 3, f"each run needs its own marker, got {markers}"
        assert {line.get_linestyle() for line in ax.lines} == {"--", "-"}, "train dashed, validation solid"


def test_initialisations_differ_by_marker_and_line_style():
    statistics = {
        "default": LayerStatistics([1.0, 0.5], [1.0, 2.0]),
        "small": LayerStatistics([1.0, 0.1], [1.0, 3.0]),
        "kaiming": LayerStatistics([1.0, 1.0], [1.0, 1.0]),
    }
    fig = utils.plot_layer_statistics(statistics)
    for ax in fig.axes:
        markers = [line.get_marker() for line in ax.lines]
        styles = [line.get_linestyle() for line in ax.lines]
        assert len(set(markers)) == 3 and len(set(styles)) == 3, f"initialisations drawn alike: {markers} {styles}"


def test_learning_curves_need_data():
    with pytest.raises(ValueError, match="at least one epoch"):
        utils.plot_learning_curves(utils.History())


def test_show_images_titles_and_mistakes():
    images = torch.rand(5, 1, 28, 28)
    fig = utils.show_images(images, [0, 1, 2, 3, 4], utils.FASHION_CLASSES, predictions=[0, 1, 2, 3, 9], ncols=3)
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert len(fig.axes) == 6 and len(titled) == 5
    assert titled[4].get_title() == "✗ Ankle boot\n(Coat)" and titled[4].title.get_color() == "red"
    assert titled[0].get_title() == "T-shirt/top\n(T-shirt/top)" and titled[0].title.get_color() == "black"


def test_show_images_rejects_colour():
    with pytest.raises(ValueError, match="one channel"):
        utils.show_images(torch.rand(2, 3, 8, 8), [0, 1], utils.FASHION_CLASSES)


def test_confusion_matrix_plot_normalises_rows():
    matrix = torch.tensor([[3, 1], [0, 4]])
    fig = utils.plot_confusion_matrix(matrix, ["a", "b"])
    image = fig.axes[0].images[0].get_array()
    assert image[0, 0] == pytest.approx(0.75) and image[1, 1] == pytest.approx(1.0)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["0.75", "0.25", "0.00", "1.00"]


def test_learning_curves_epoch_ticks_are_whole_numbers():
    run = utils.History([utils.EpochStats(e, 1.0, 0.5, 1.0, 0.5, 1e-3, 0.1) for e in range(1, 21)])
    fig = utils.plot_learning_curves(run)
    fig.canvas.draw()
    ticks = fig.axes[0].get_xticks()
    assert len(ticks) > 2 and all(float(t).is_integer() for t in ticks)


def test_learning_curves_mean_and_band_over_seeds():
    fig = utils.plot_learning_curves({"Adam": [history(0.0), history(0.2)], "SGD": [history(0.1), history(0.1)]})
    loss_ax = fig.axes[0]
    assert [line.get_label() for line in loss_ax.lines][:2] == ["Adam train", "Adam validation"]
    assert list(loss_ax.lines[0].get_ydata()) == pytest.approx([1.1, 0.6, 1 / 3 + 0.1])  # the mean train loss
    assert len(loss_ax.collections) == 4  # a ± std band per configuration and curve
    assert "mean over 2 seeds" in fig._suptitle.get_text()


def test_learning_curves_refuse_runs_of_different_lengths():
    short = utils.History(history().epochs[:2])
    with pytest.raises(ValueError, match="run 'Adam'.*different numbers of epochs"):
        utils.plot_learning_curves({"Adam": [history(), short]})


def test_layer_statistics_plot_log_scale():
    stats = utils.LayerStatistics([1.0, 0.1, 0.01], [1e-3, 1e-2, 1e-1])
    fig = utils.plot_layer_statistics({"small": stats, "kaiming": utils.LayerStatistics([1.0] * 3, [1e-2] * 3)})
    act_ax, grad_ax = fig.axes
    assert act_ax.get_yscale() == "log" and grad_ax.get_yscale() == "log"
    assert [line.get_label() for line in act_ax.lines] == ["small", "kaiming"]
    assert list(grad_ax.lines[0].get_ydata()) == pytest.approx([1e-3, 1e-2, 1e-1])
    with pytest.raises(ValueError, match="at least one"):
        utils.plot_layer_statistics({})
