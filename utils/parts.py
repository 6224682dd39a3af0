"""The homework's parts and their points: the one table that statements, notebooks and grading read.

Each :class:`Part` names the functions (or classes) a student writes in the part's notebook and
says whether the part also asks for written answers (markdown cells tagged ``answer``). The
headings of the question statements (``### 2.4 Training loop (7 points)``) and of the notebooks
(``## 2.4 Training loop (7 points)``) are :func:`part_heading` of this table; the test suite
checks that they match, and that the totals add up.

Points follow the work a part takes: how many functions, how much thinking beyond the
pattern the guide shows, and whether the part asks for written interpretation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    """One part ``N.M`` of a question."""

    id: str
    title: str
    points: int
    functions: tuple[str, ...]
    written_answers: bool = False

    @property
    def question(self) -> int:
        return int(self.id.split(".")[0])


#: Question number -> title, as the statements' ``## Question N: Title (P points)`` headings give it.
QUESTIONS: dict[int, str] = {
    1: "Tensors, autograd and devices",
    2: "An MLP for Fashion-MNIST, trained and evaluated",
    3: "Checkpoints, resuming, deployment, and a look inside PyTorch",
}

PARTS: tuple[Part, ...] = (
    Part("1.1", "Tensors", 6, ("share_and_copy", "hwc_to_nchw", "flatten_images", "normalize_channels")),
    Part("1.2", "Autograd", 6, ("numerical_grad", "vector_backward")),
    Part("1.3", "Stopping gradients", 5, ("sgd_step", "zero_grad", "to_numpy")),
    Part("1.4", "A linear layer and a stable cross-entropy", 8, ("linear_forward", "cross_entropy_loss")),
    Part("1.5", "Devices", 3, ("matmul_on",)),
    Part("2.1", "Data", 4, ("pixel_mean_std", "make_transform")),
    Part("2.2", "Model", 7, ("MLP", "make_sequential")),
    Part("2.3", "Loss", 3, ("make_criterion", "predict_proba")),
    Part("2.4", "Training loop", 7, ("train_one_epoch", "evaluate")),
    Part("2.5", "Experiments", 9, ("make_optimizer", "apply_init", "make_scheduler"), written_answers=True),
    Part("2.6", "Final model", 10, ("build_final_model", "confusion_counts"), written_answers=True),
    Part("3.1", "The state_dict", 4, ("state_dict_summary", "reload_weights")),
    Part("3.2", "Comprehensive checkpoints", 4, ("save_checkpoint", "load_checkpoint")),
    Part("3.3", "Resuming bit-exactly", 6, ("save_training_state", "load_training_state")),
    Part("3.4", "Variables in filenames", 6, ("make_checkpoint_callback", "list_checkpoints")),
    Part("3.5", "Deployment: TorchScript and `torch.export`", 6, ("clip_with_cond", "export_and_reload")),
    Part("3.6", "Inside PyTorch", 6, ("graph_node_names", "record_activation_stats", "ScaledLinear")),
)


#: The functions and classes a student writes in a file of ``utils`` rather than in a notebook (the
#: notebooks import them from there, and question 3 uses them again), with the file of each.
IN_UTILS: dict[str, str] = {
    "MLP": "utils/models.py",
    "train_one_epoch": "utils/training.py",
    "evaluate": "utils/training.py",
}


def utils_files(part_id: str) -> tuple[str, ...]:
    """The files of ``utils`` that hold part of ``part_id``'s answer (``()`` for a notebook-only part)."""
    return tuple(dict.fromkeys(IN_UTILS[name] for name in part(part_id).functions if name in IN_UTILS))


def parts_of(question: int) -> tuple[Part, ...]:
    """The parts of ``question``, in order."""
    found = tuple(part for part in PARTS if part.question == question)
    if not found:
        raise KeyError(f"no question {question}: the questions are {sorted(QUESTIONS)}")
    return found


def part(part_id: str) -> Part:
    """The part with id ``"N.M"``."""
    for candidate in PARTS:
        if candidate.id == part_id:
            return candidate
    raise KeyError(f"no part {part_id!r}: the parts are {', '.join(p.id for p in PARTS)}")


def question_points(question: int) -> int:
    """Total points of ``question``: the sum of its parts."""
    return sum(p.points for p in parts_of(question))


def total_points() -> int:
    """Points of the whole homework: the sum of the questions."""
    return sum(question_points(question) for question in QUESTIONS)


def points_text(points: int) -> str:
    return f"{points} point" if points == 1 else f"{points} points"


def part_heading(part_id: str) -> str:
    """The heading text of a part, without the ``#`` marks: ``"2.4 Training loop (7 points)"``."""
    found = part(part_id)
    return f"{found.id} {found.title} ({points_text(found.points)})"


def question_heading(question: int) -> str:
    """The statement's heading text: ``"Question 2: An MLP ... (40 points)"``."""
    return f"Question {question}: {QUESTIONS[question]} ({points_text(question_points(question))})"
