"""The question-2 self-checks pass right answers, catch wrong ones with a hint, and name the part of a stub.

The right answers are the notebook's own solution cells (executed here, so these tests also
cover the solutions) and, where ``utils`` holds one, its reference implementation (``MLP``,
``train_one_epoch``, ``evaluate``, ``confusion_matrix``). The stubs are the notebook's cells
as the student handout has them (``tools/make_student.py``). The wrong answers are the
mistakes students make.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torchvision import transforms

from notebook_functions import load_functions
from utils import checks
from utils.data import FASHION_MEAN, FASHION_STD

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "hw08-q02.ipynb"


def _load(student: bool) -> dict:
    """The notebook's function cells (those with solution regions), executed: solutions or stubs."""
    namespace = {"torch": torch, "nn": nn, "F": F, "transforms": transforms, "math": math, "time": time}
    return load_functions(NOTEBOOK, student, namespace)


SOLUTION = _load(student=False)
STUB = _load(student=True)
ReferenceMLP = SOLUTION["MLP"]
train_one_epoch, evaluate = SOLUTION["train_one_epoch"], SOLUTION["evaluate"]
confusion_matrix = SOLUTION["confusion_counts"]

#: Each check, its part, and the notebook functions it takes.
CHECKS = {
    "check_data": ("2.1", ["pixel_mean_std", "make_transform"]),
    "check_mlp": ("2.2", ["MLP", "make_sequential"]),
    "check_loss": ("2.3", ["make_criterion", "predict_proba", "MLP"]),
    "check_training_loop": ("2.4", ["train_one_epoch", "evaluate"]),
    "check_experiment_setup": ("2.5", ["make_optimizer", "apply_init", "make_scheduler"]),
    "check_final_setup": ("2.6", ["build_final_model"]),
    "check_confusion_counts": ("2.6", ["confusion_counts"]),
}
EXTRA = {"check_final_setup": ["cpu"]}


def stub(*args, **kwargs):
    raise NotImplementedError("Q2: write your solution here")


def passes(capsys, part: str, check, *args) -> None:
    check(*args)
    out = capsys.readouterr().out
    assert out.startswith(f"✓ {part} "), out
    assert out.count("\n") == 1, f"a check prints one line, got: {out!r}"


def fails(part: str, check, *args, match: str = "") -> None:
    with pytest.raises(AssertionError, match=rf"^✗ {part}: .*{match}"):
        check(*args)


def unfinished(part: str, check, *args) -> None:
    with pytest.raises(NotImplementedError, match=rf"^Q{part} is not finished"):
        check(*args)


@pytest.mark.parametrize("name", CHECKS)
def test_notebook_solutions_pass(capsys, name):
    part, functions = CHECKS[name]
    passes(capsys, part, getattr(checks, name), *[SOLUTION[f] for f in functions], *EXTRA.get(name, []))


@pytest.mark.parametrize(("name", "stubbed"), [(name, f) for name, (_, functions) in CHECKS.items() for f in functions])
def test_notebook_stubs_name_their_part(name, stubbed):
    """Each of a check's functions, as the handout has it (a stub), makes the check name the part."""
    part, functions = CHECKS[name]
    arguments = [STUB[f] if f == stubbed else SOLUTION[f] for f in functions]
    with pytest.raises(NotImplementedError, match=rf"^Q{part} is not finished: \w+(\.forward)?\(\) still raises"):
        getattr(checks, name)(*arguments, *EXTRA.get(name, []))


@pytest.mark.parametrize("name", CHECKS)
def test_checks_leave_the_random_state_alone(name):
    """A self-check does not shift the notebook's random numbers (its cells after the check stay seeded)."""
    _, functions = CHECKS[name]
    torch.manual_seed(1234)
    before = torch.get_rng_state()
    getattr(checks, name)(*[SOLUTION[f] for f in functions], *EXTRA.get(name, []))
    assert torch.equal(torch.get_rng_state(), before)


def test_final_model_setup_is_seeded():
    """The final model's starting weights depend only on the seed (the notebook seeds before building it)."""

    def weights():
        torch.manual_seed(0)
        model = SOLUTION["build_final_model"]("cpu")[0]
        return [p.detach().clone() for p in model.parameters()]

    assert all(torch.equal(a, b) for a, b in zip(weights(), weights()))


# --------------------------------------------------------------------------------------------
# 2.1 Data
# --------------------------------------------------------------------------------------------


mean_std = SOLUTION["pixel_mean_std"]
transform = SOLUTION["make_transform"]


def test_data_right(capsys):
    passes(capsys, "2.1", checks.check_data, mean_std, transform)


def test_data_wrong_scale():
    def raw_scale(images):
        pixels = images.float()
        return pixels.mean().item(), pixels.std().item()

    fails("2.1", checks.check_data, raw_scale, transform, match="divide by 255")


def test_data_wrong_std_per_image():
    def per_image(images):
        pixels = images.float() / 255
        return pixels.mean().item(), pixels.flatten(1).std(dim=1).mean().item()

    fails("2.1", checks.check_data, per_image, transform, match="std")


def test_data_wrong_transform_without_normalize():
    fails("2.1", checks.check_data, mean_std, lambda mean, std: transforms.ToTensor(), match="Normalize")


def test_data_wrong_transform_hard_coded():
    def hard_coded(mean, std):
        return transforms.Compose([transforms.ToTensor(), transforms.Normalize((FASHION_MEAN,), (FASHION_STD,))])

    fails("2.1", checks.check_data, mean_std, hard_coded, match="differs")


def test_data_wrong_transform_without_to_tensor():
    fails("2.1", checks.check_data, mean_std, lambda mean, std: lambda image: image, match="ToTensor")


def test_data_stub():
    unfinished("2.1", checks.check_data, stub, transform)
    unfinished("2.1", checks.check_data, mean_std, stub)


# --------------------------------------------------------------------------------------------
# 2.2 Model
# --------------------------------------------------------------------------------------------


sequential = SOLUTION["make_sequential"]


class PlainListMLP(nn.Module):
    """Layers in a Python list: hidden from .parameters()."""

    def __init__(self, input_size, hidden_sizes, output_size, dropout=0.0, batch_norm=False):
        super().__init__()
        self.layers = list(
            ReferenceMLP(input_size, hidden_sizes, output_size, dropout=dropout, batch_norm=batch_norm).layers
        )

    def forward(self, x):
        x = x.reshape(len(x), -1)
        for layer in self.layers:
            x = layer(x)
        return x


class FinalReluMLP(ReferenceMLP):
    def forward(self, x):
        return torch.relu(super().forward(x))


class NoDropoutMLP(ReferenceMLP):
    def __init__(self, input_size, hidden_sizes, output_size, dropout=0.0, batch_norm=False):
        super().__init__(input_size, hidden_sizes, output_size, batch_norm=batch_norm)


class NoBatchNormMLP(ReferenceMLP):
    def __init__(self, input_size, hidden_sizes, output_size, dropout=0.0, batch_norm=False):
        super().__init__(input_size, hidden_sizes, output_size, dropout=dropout)


class NormAfterReluMLP(ReferenceMLP):
    """Linear -> ReLU -> BatchNorm1d: not the documented order."""

    def __init__(self, input_size, hidden_sizes, output_size, dropout=0.0, batch_norm=False):
        super().__init__(input_size, hidden_sizes, output_size, dropout=dropout, batch_norm=batch_norm)
        layers = list(self.layers)
        for i in range(len(layers) - 1):
            if isinstance(layers[i], nn.BatchNorm1d) and isinstance(layers[i + 1], nn.ReLU):
                layers[i], layers[i + 1] = layers[i + 1], layers[i]
        self.layers = nn.ModuleList(layers)


class SoftmaxMLP(ReferenceMLP):
    def forward(self, x):
        return torch.softmax(super().forward(x), dim=1)


class StubForwardMLP(ReferenceMLP):
    def forward(self, x):
        raise NotImplementedError("Q2.2: write forward")


def test_mlp_right(capsys):
    passes(capsys, "2.2", checks.check_mlp, ReferenceMLP, sequential)


def test_mlp_wrong_plain_list():
    fails("2.2", checks.check_mlp, PlainListMLP, sequential, match="nn.ModuleList")


def test_mlp_wrong_final_relu():
    fails("2.2", checks.check_mlp, FinalReluMLP, sequential, match="no activation after the last")


def test_mlp_wrong_ignores_dropout():
    fails("2.2", checks.check_mlp, NoDropoutMLP, sequential, match="nn.Dropout")


def test_mlp_wrong_batch_norm():
    fails("2.2", checks.check_mlp, NoBatchNormMLP, sequential, match="BatchNorm1d")
    fails("2.2", checks.check_mlp, NormAfterReluMLP, sequential, match="Linear -> BatchNorm1d -> ReLU")


def test_mlp_wrong_sequential_without_flatten():
    def unflattened(input_size, hidden_sizes, output_size):
        return nn.Sequential(*list(sequential(input_size, hidden_sizes, output_size))[1:])

    fails("2.2", checks.check_mlp, ReferenceMLP, unflattened, match="Flatten")


def test_mlp_wrong_sequential_no_bias():
    def no_bias(input_size, hidden_sizes, output_size):
        model = sequential(input_size, hidden_sizes, output_size)
        model[-1] = nn.Linear(hidden_sizes[-1], output_size, bias=False)
        return model

    fails("2.2", checks.check_mlp, ReferenceMLP, no_bias, match="parameters")


def test_mlp_wrong_sequential_other_activation():
    def tanh(input_size, hidden_sizes, output_size):
        return nn.Sequential(
            *[nn.Tanh() if isinstance(m, nn.ReLU) else m for m in sequential(input_size, hidden_sizes, output_size)]
        )

    fails("2.2", checks.check_mlp, ReferenceMLP, tanh, match="differs from the reference")


def test_mlp_wrong_signature():
    class NoDropoutArgument(ReferenceMLP):
        def __init__(self, input_size, hidden_sizes, output_size, batch_norm=False):
            super().__init__(input_size, hidden_sizes, output_size, batch_norm=batch_norm)

    fails("2.2", checks.check_mlp, NoDropoutArgument, sequential, match="dropout=0.5.*signature")


def test_mlp_stub():
    unfinished("2.2", checks.check_mlp, stub, sequential)
    unfinished("2.2", checks.check_mlp, StubForwardMLP, sequential)
    unfinished("2.2", checks.check_mlp, ReferenceMLP, stub)


# --------------------------------------------------------------------------------------------
# 2.3 Loss
# --------------------------------------------------------------------------------------------


proba = SOLUTION["predict_proba"]


def test_loss_right(capsys):
    passes(capsys, "2.3", checks.check_loss, nn.CrossEntropyLoss, proba, ReferenceMLP)


def test_loss_catches_softmax_in_forward():
    fails("2.3", checks.check_loss, nn.CrossEntropyLoss, proba, SoftmaxMLP, match="remove the softmax")


def test_loss_wrong_criterion_nll():
    fails("2.3", checks.check_loss, nn.NLLLoss, proba, ReferenceMLP, match="NLLLoss")


@pytest.mark.filterwarnings("ignore:Using a target size")
def test_loss_wrong_criterion_mse():
    fails("2.3", checks.check_loss, nn.MSELoss, proba, ReferenceMLP, match="CrossEntropyLoss")


def test_loss_wrong_proba_train_mode():
    def train_mode(model, images):
        with torch.no_grad():
            return torch.softmax(model(images), dim=1)

    fails("2.3", checks.check_loss, nn.CrossEntropyLoss, train_mode, ReferenceMLP, match="model.eval")


def test_loss_wrong_proba_tracks_grad():
    def with_grad(model, images):
        model.eval()
        return torch.softmax(model(images), dim=1)

    fails("2.3", checks.check_loss, nn.CrossEntropyLoss, with_grad, ReferenceMLP, match="no_grad")


def test_loss_wrong_proba_dim():
    def wrong_dim(model, images):
        model.eval()
        with torch.no_grad():
            return torch.softmax(model(images), dim=0)

    fails("2.3", checks.check_loss, nn.CrossEntropyLoss, wrong_dim, ReferenceMLP, match="dim=1")


def test_loss_stub():
    unfinished("2.3", checks.check_loss, stub, proba, ReferenceMLP)
    unfinished("2.3", checks.check_loss, nn.CrossEntropyLoss, stub, ReferenceMLP)


# --------------------------------------------------------------------------------------------
# 2.4 Training loop
# --------------------------------------------------------------------------------------------


def make_train(zero_grad=True, train_mode=True, step=True):
    def train(model, loader, criterion, optimizer, device):
        if train_mode:
            model.train()
        total, correct, count = 0.0, 0, 0
        for x, y in loader:
            if zero_grad:
                optimizer.zero_grad()
            out = model(x.to(device))
            loss = criterion(out, y.to(device))
            loss.backward()
            if step:
                optimizer.step()
            total += loss.item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
            count += len(y)
        return total / count, correct / count

    return train


def make_evaluate(eval_mode=True, no_grad=True, batch_mean=False, percent=False):
    def run(model, loader, criterion, device):
        if eval_mode:
            model.eval()
        total, correct, count, batches = 0.0, 0, 0, 0
        with torch.set_grad_enabled(not no_grad):
            for x, y in loader:
                out = model(x.to(device))
                loss = criterion(out, y.to(device)).item()
                total += loss if batch_mean else loss * len(y)
                correct += (out.argmax(1) == y).sum().item()
                count += len(y)
                batches += 1
        return total / (batches if batch_mean else count), correct / count * (100 if percent else 1)

    return run


def test_training_loop_right(capsys):
    passes(capsys, "2.4", checks.check_training_loop, train_one_epoch, evaluate)
    passes(capsys, "2.4", checks.check_training_loop, make_train(), make_evaluate())


def test_training_loop_wrong_no_zero_grad():
    fails("2.4", checks.check_training_loop, make_train(zero_grad=False), evaluate, match="zero_grad")


def test_training_loop_wrong_no_train_mode():
    fails("2.4", checks.check_training_loop, make_train(train_mode=False), evaluate, match="model.train")


def test_training_loop_wrong_no_step():
    fails("2.4", checks.check_training_loop, make_train(step=False), evaluate, match="optimizer.step")


def test_training_loop_wrong_evaluate_in_train_mode():
    fails("2.4", checks.check_training_loop, train_one_epoch, make_evaluate(eval_mode=False), match="model.eval")


def test_training_loop_wrong_evaluate_tracks_grad():
    fails("2.4", checks.check_training_loop, train_one_epoch, make_evaluate(no_grad=False), match="no_grad")


def test_training_loop_wrong_mean_of_batch_means():
    fails("2.4", checks.check_training_loop, train_one_epoch, make_evaluate(batch_mean=True), match="weight each batch")


def test_training_loop_wrong_percent():
    fails("2.4", checks.check_training_loop, train_one_epoch, make_evaluate(percent=True), match="fraction")


def test_training_loop_stub():
    unfinished("2.4", checks.check_training_loop, train_one_epoch, stub)
    unfinished("2.4", checks.check_training_loop, stub, evaluate)


# --------------------------------------------------------------------------------------------
# 2.5 Experiments
# --------------------------------------------------------------------------------------------


def optimizer_for(model, name):
    if name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return torch.optim.Adam(model.parameters(), lr=1e-3)


def init_with(mode="fan_in", zero_bias=True, default_resets=False):
    def apply_init(model, scheme):
        if scheme == "default" and not default_resets:
            return model
        for module in model.modules():
            if isinstance(module, nn.Linear):
                nn.init.kaiming_normal_(module.weight, mode=mode, nonlinearity="relu")
                if zero_bias:
                    nn.init.zeros_(module.bias)
        return model

    return apply_init


def scheduler_for(optimizer, name, epochs, step_size=None):
    if name == "none":
        return None
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=step_size or max(1, epochs // 2), gamma=0.1)
    return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.1, patience=2)


def test_experiment_setup_right(capsys):
    passes(capsys, "2.5", checks.check_experiment_setup, optimizer_for, init_with(), scheduler_for)


def test_experiment_setup_wrong_sgd_without_momentum():
    def plain(model, name):
        return torch.optim.SGD(model.parameters(), lr=0.05) if name == "sgd" else optimizer_for(model, name)

    fails("2.5", checks.check_experiment_setup, plain, init_with(), scheduler_for, match="momentum")


def test_experiment_setup_wrong_optimizer_params():
    def first_layer_only(model, name):
        return torch.optim.Adam(next(iter(model.children())).parameters(), lr=1e-3)

    fails("2.5", checks.check_experiment_setup, first_layer_only, init_with(), scheduler_for, match="model.parameters")


def test_experiment_setup_wrong_init():
    fails("2.5", checks.check_experiment_setup, optimizer_for, init_with(mode="fan_out"), scheduler_for, match="fan_in")
    fails(
        "2.5", checks.check_experiment_setup, optimizer_for, init_with(zero_bias=False), scheduler_for, match="biases"
    )
    fails(
        "2.5",
        checks.check_experiment_setup,
        optimizer_for,
        init_with(default_resets=True),
        scheduler_for,
        match="default",
    )

    def xavier(model, scheme):
        if scheme == "kaiming":
            for module in model.modules():
                if isinstance(module, nn.Linear):
                    nn.init.xavier_normal_(module.weight)
                    nn.init.zeros_(module.bias)
        return model

    fails("2.5", checks.check_experiment_setup, optimizer_for, xavier, scheduler_for, match="kaiming_normal_")


def test_experiment_setup_wrong_scheduler():
    def late(optimizer, name, epochs):
        return scheduler_for(optimizer, name, epochs, step_size=30)

    fails("2.5", checks.check_experiment_setup, optimizer_for, init_with(), late, match="lowered within")

    def always_step(optimizer, name, epochs):
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=3)

    fails("2.5", checks.check_experiment_setup, optimizer_for, init_with(), always_step, match="None")


def test_experiment_setup_stub():
    unfinished("2.5", checks.check_experiment_setup, stub, init_with(), scheduler_for)
    unfinished("2.5", checks.check_experiment_setup, optimizer_for, stub, scheduler_for)
    unfinished("2.5", checks.check_experiment_setup, optimizer_for, init_with(), stub)


# --------------------------------------------------------------------------------------------
# 2.6 Final model
# --------------------------------------------------------------------------------------------


def final_setup(device):
    model = ReferenceMLP(784, [64], 10, dropout=0.2).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    return model, optimizer, torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, 5), 5


def test_final_setup_right(capsys):
    passes(capsys, "2.6", checks.check_final_setup, final_setup, "cpu")


def test_final_setup_wrong():
    def other_model(device):
        model, _, _, epochs = final_setup(device)
        return model, torch.optim.Adam(ReferenceMLP(784, [64], 10).parameters()), None, epochs

    fails("2.6", checks.check_final_setup, other_model, "cpu", match="model's parameters")

    def float_epochs(device):
        model, optimizer, scheduler, _ = final_setup(device)
        return model, optimizer, scheduler, 2.5

    fails("2.6", checks.check_final_setup, float_epochs, "cpu", match="epochs")
    fails("2.6", checks.check_final_setup, lambda device: final_setup(device)[:3], "cpu", match="return")


def test_final_setup_stub():
    unfinished("2.6", checks.check_final_setup, stub, "cpu")


def test_confusion_counts(capsys):
    passes(capsys, "2.6", checks.check_confusion_counts, confusion_matrix)
    fails("2.6", checks.check_confusion_counts, lambda l, p, c: confusion_matrix(l, p, c).T, match="transposed")
    fails("2.6", checks.check_confusion_counts, lambda l, p, c: confusion_matrix(l, p, c).float(), match="integers")
    fails(
        "2.6",
        checks.check_confusion_counts,
        lambda l, p, c: confusion_matrix(l, p, int(max(l.max(), p.max())) + 1)[:8, :8],
        match="shape",
    )
    unfinished("2.6", checks.check_confusion_counts, stub)
