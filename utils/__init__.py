"""Helpers for HW 8, "PyTorch for Deep Learning". One module per concern:

===================  ==============================================================
``device``           ``get_device``, ``device_summary``, ``synchronize``, ``require_device``
``seed``             ``seed_everything``
``timing``           ``median_seconds``
``data``             offline, verified Fashion-MNIST, ``as_tensors``, ``tensor_loaders``
``models``           ``MLP`` (yours: question 2.2), ``count_parameters``
``training``         ``train_one_epoch``, ``evaluate`` (yours: 2.4); ``fit`` runs them -> ``History``; ``predict``
``runs``             ``summarize_runs``: mean ± std of several seeded runs
``initialisation``   ``layer_statistics``: signals through a deep network at initialisation
``parts``            the parts of the homework and their points
``metrics``          accuracy, per-class accuracy, most confused pair
``checkpoint``       atomic ``save_checkpoint``, all-or-nothing ``load_checkpoint``
``atomic``           ``atomic_write`` (temporary file, then moved into place)
``errors``           ``first_line`` of an exception, for one-line messages
``plotting``         learning curves (also mean ± std over seeds), layer statistics, images, confusion matrices
``checks``           the notebooks' self-checks
===================  ==============================================================
"""

from . import checks, parts
from .checkpoint import (
    CheckpointError,
    CheckpointNotFoundError,
    checkpoint_filename,
    load_checkpoint,
    read_checkpoint,
    save_checkpoint,
)
from .data import (
    FASHION_CLASSES,
    FASHION_MEAN,
    FASHION_STD,
    DatasetUnavailableError,
    Loaders,
    TensorBatchLoader,
    as_tensors,
    data_root,
    ensure_fashion_mnist,
    fashion_mnist,
    mnist,
    tensor_loaders,
)
from .device import (
    DeviceUnavailableError,
    available_devices,
    device_summary,
    get_device,
    require_device,
    synchronize,
)
from .initialisation import LayerStatistics, layer_statistics
from .metrics import accuracy, most_confused_pair, per_class_accuracy
from .models import MLP, count_parameters
from .plotting import plot_confusion_matrix, plot_layer_statistics, plot_learning_curves, show_images
from .runs import RunSummary, Spread, summarize_runs
from .seed import seed_everything
from .timing import median_seconds
from .training import (
    EpochStats,
    History,
    NonFiniteLossError,
    TrainingInterrupted,
    evaluate,
    fit,
    predict,
    train_one_epoch,
)

__all__ = [
    "checks",
    "parts",
    "CheckpointError",
    "CheckpointNotFoundError",
    "checkpoint_filename",
    "load_checkpoint",
    "read_checkpoint",
    "save_checkpoint",
    "FASHION_CLASSES",
    "FASHION_MEAN",
    "FASHION_STD",
    "DatasetUnavailableError",
    "Loaders",
    "TensorBatchLoader",
    "as_tensors",
    "data_root",
    "ensure_fashion_mnist",
    "fashion_mnist",
    "mnist",
    "tensor_loaders",
    "DeviceUnavailableError",
    "available_devices",
    "device_summary",
    "get_device",
    "require_device",
    "synchronize",
    "accuracy",
    "most_confused_pair",
    "per_class_accuracy",
    "MLP",
    "count_parameters",
    "plot_confusion_matrix",
    "plot_layer_statistics",
    "plot_learning_curves",
    "LayerStatistics",
    "layer_statistics",
    "RunSummary",
    "Spread",
    "summarize_runs",
    "show_images",
    "seed_everything",
    "median_seconds",
    "EpochStats",
    "History",
    "NonFiniteLossError",
    "TrainingInterrupted",
    "evaluate",
    "fit",
    "predict",
    "train_one_epoch",
]
