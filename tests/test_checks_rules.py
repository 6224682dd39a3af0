"""Each rule a self-check enforces is written in its statement: a refusal, and the sentence that states its rule.

A self-check refuses two kinds of answer: one that differs from PyTorch's own operation (the
statement names that operation) and one that breaks a rule of the statement (a dtype, in place,
no gradients, a tuple, a tie...). For the second kind, ``RULES`` pairs a realistic wrong answer
of ``tests/corpus`` with what its ✗ message must say and with the sentence of the part's
statement (``hw08-q0N.md``, section ``### N.M``) that states the rule, so that a student can
follow the rule from the handout before the check enforces it. Every check has at least one rule.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notebook_functions import CHECKS, check_arguments, notebook_definitions, run_check

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"

#: (corpus answer, what its ✗ message says, the statement's words for that rule).
RULES: list[tuple[str, str, str]] = [
    ("q1_1/wrong_nchw_contiguous_copy", "copied the data", "as a view (no copy)"),
    ("q1_1/wrong_normalize_in_place", "changed its input in place", "without changing `images`"),
    ("q1_1/wrong_share_two_copies", "shared tensor did not change", "a tensor that shares memory with the NumPy"),
    ("q1_2/wrong_changes_x", "numerical_grad changed x", "without changing `x`"),
    ("q1_2/wrong_forward_difference", "central difference", "the central-difference estimate"),
    ("q1_2/wrong_vector_reuses_x", "fresh leaf", "on a fresh leaf made from `x`"),
    ("q1_3/wrong_step_data_reassigned", "new memory instead of changing them in place", "in the same memory"),
    ("q1_3/wrong_step_rebinds", "left the parameters unchanged", "**in place**"),
    ("q1_3/wrong_step_no_none_check", "Skip parameters whose .grad is None", "skip the others"),
    ("q1_3/wrong_numpy_casts_to_float32", "keep the tensor's dtype", "with `t`'s dtype"),
    ("q1_3/wrong_numpy_no_detach", "requires grad", "also when `t` requires grad"),
    ("q1_4_linear/wrong_calls_f_linear", "not call F.linear", "from tensor operations only"),
    ("q1_4_linear/wrong_mm_two_dims_only", "any number of leading dimensions", "for any number of leading"),
    ("q1_4_cross_entropy/wrong_naive_softmax", "log-sum-exp trick", "with the log-sum-exp trick"),
    ("q1_4_cross_entropy/wrong_logsumexp", "not call F.cross_entropy", "without `F.cross_entropy`"),
    ("q1_4_cross_entropy/wrong_per_sample", "the mean over the batch", "the mean over the batch"),
    ("q1_5/wrong_product_in_float64", "in the inputs' dtype", "in the inputs' dtype"),
    ("q1_5/wrong_left_on_device", "back to the CPU", "return the product on the CPU"),
    ("q1_5/wrong_product_on_cpu", "multiply them there", "multiply them there"),
    ("q2_1/wrong_raw_scale", "scaled to \\[0, 1\\]", "on the [0, 1] scale"),
    ("q2_1/wrong_returns_tensors", "should be a Python float", "as two floats"),
    ("q2_1/wrong_per_image_std", "all pixels of all images at once", "over all pixels of all images"),
    ("q2_2/wrong_plain_list", "nn.ModuleList", "an `nn.ModuleList` holding one `nn.Linear`"),
    ("q2_2/wrong_relu_after_last_layer", "last Linear with nothing after it", "nothing after the last layer"),
    ("q2_2/wrong_batch_norm_after_relu", "Linear -> BatchNorm1d -> ReLU", "followed by `nn.BatchNorm1d`"),
    ("q2_3/wrong_proba_detach_after_the_fact", "detached the result afterwards", "detaching the result afterwards"),
    ("q2_3/wrong_proba_train_mode", "model.eval\\(\\)", "eval mode"),
    ("q2_3/wrong_softmax_in_forward", "returns probabilities", "why a softmax before `nn.CrossEntropyLoss` is a bug"),
    ("q2_3/wrong_log_softmax_in_forward", "log-probabilities", "does not end in a softmax or a log-softmax"),
    ("q2_4/wrong_evaluate_tracks_gradients", "no_grad", "the loop inside `torch.no_grad()`"),
    ("q2_4/wrong_evaluate_detaches_outputs", "no_grad", "the loop inside `torch.no_grad()`"),
    ("q2_4/wrong_train_mean_of_batch_means", "weight each batch's loss", "mean loss per sample"),
    ("q2_4/wrong_evaluate_percent", "a fraction in \\[0, 1\\]", "accuracy"),
    ("q2_5/wrong_sgd_without_momentum", "momentum=0.9", "`momentum=0.9`"),
    ("q2_5/wrong_step_size_fixed", "when the last epoch starts", "must lower the rate before the last epoch starts"),
    ("q2_5/wrong_plateau_patience_too_long", "when the last epoch starts", "within 10 epochs"),
    ("q2_5/wrong_plateau_mode_max", "mode='min'", 'mode="min"'),
    ("q2_5/wrong_bias_not_zeroed", "biases should be zero", "with zero biases"),
    ("q2_6_final/wrong_conv2d", "no convolutions", "no convolutions"),
    ("q2_6_final/wrong_softmax_at_the_end", "it ends in nn.Softmax", "no softmax or log-softmax at the end"),
    ("q2_6_final/wrong_softmax_in_forward", "returns probabilities", "returns raw logits"),
    ("q2_6_final/wrong_dropout_in_eval", "two different outputs for the same batch", "the same output for the same"),
    ("q2_6_final/wrong_zero_epochs", "epochs should be an int", "returning `(model, optimizer, scheduler, epochs)`"),
    ("q2_6_confusion/wrong_uint8_counts", "cannot count past 255", "a `uint8` counter wraps at 256"),
    ("q2_6_confusion/wrong_int16_counts", "cannot count past 32767", "`int16` cannot count the 60,000"),
    ("q2_6_confusion/wrong_returns_numpy", "should return a tensor", "integer **tensor**"),
    ("q2_6_confusion/wrong_transposed", "rows are the true classes", "counts the samples of class `i` predicted"),
    ("q3_1_summary/wrong_shapes_as_lists", "statement asks for a tuple", "a list is not"),
    ("q3_1_summary/wrong_parameters_only", "holds the buffers too", "every parameter and every buffer"),
    ("q3_1_reload/wrong_no_eval", "still in training mode", "**ready to predict**"),
    ("q3_1_reload/wrong_returns_the_original", "NEW model built with make_model", "into a fresh `make_model()`"),
    ("q3_1_reload/wrong_pickles_the_model", "weights_only=True", "reads as a dict of tensors"),
    ("q3_2/wrong_own_key_names", "the guide's keys", "with the guide's dictionary keys"),
    ("q3_2/wrong_save_scheduler_none", "scheduler may be None", "also when `scheduler` is `None`"),
    ("q3_2/wrong_weights_only_false", "weights_only=True", "loads with\n`weights_only=True`"),
    ("q3_3/wrong_no_rng_state", "dropout masks", "What decides which units dropout zeroes"),
    ("q3_3/wrong_new_optimizer_old_scheduler", "still drives another optimizer", "leaves `run.scheduler` driving"),
    ("q3_3/wrong_new_model_old_optimizer", "than run.model's parameters", "Load into the run's own objects"),
    ("q3_3/wrong_rng_on_model_device", "CPU byte tensors", 'Load with `map_location="cpu"`'),
    ("q3_4_callback/wrong_tie_replaces_best", "a later tie keeps the earlier file", "a later tie keeps the earlier"),
    ("q3_4_callback/wrong_keeps_every_best", "keep exactly one", "keeps exactly one best-so-far"),
    ("q3_4_callback/wrong_accuracy_as_fraction", "in percent", "accuracy in percent"),
    ("q3_4_list/wrong_returns_generator", "return a list", "returns a list of `(path, accuracy)` pairs"),
    ("q3_4_list/wrong_sorts_strings", "Sort by the number", "sort by the number"),
    ("q3_4_list/wrong_unanchored_pattern", "should be skipped", "skip files without an accuracy"),
    ("q3_5_cond/wrong_branch_free", "holds no torch.cond", "the `if` as `torch.cond`"),
    ("q3_5_cond/wrong_returns_operand", "must not return", "must not return one unchanged"),
    ("q3_5_export/wrong_static_batch", "make the batch dimension dynamic", "with a dynamic batch dimension"),
    ("q3_5_export/wrong_returns_program", "torch.export.load\\(path\\).module\\(\\)", "return the loaded module"),
    ("q3_6_graph/wrong_no_dedup", "visit each node once", "each\n  node once"),
    ("q3_6_graph/wrong_leaves_first", "start with the root", "the root first"),
    ("q3_6_stats/wrong_hooks_left", "hooks are still registered", "removed afterwards"),
    ("q3_6_stats/wrong_statistics_of_inputs", "the hook's `output`", "of its output"),
    ("q3_6_scaled/wrong_buffer", "wrap it in nn.Parameter", "appears in\n`parameters()`"),
    ("q3_6_scaled/wrong_zeros", "start as torch.ones", "starts at ones"),
]


def _flat(text: str) -> str:
    return " ".join(text.split()).lower()


def section(question: int, part: str) -> str:
    """The statement's ``### <part>`` section (up to the next ``###`` heading)."""
    text = (ROOT / f"hw08-q0{question}.md").read_text(encoding="utf-8")
    match = re.search(rf"^### {re.escape(part)}\b.*?(?=^### |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"hw08-q0{question}.md has no ### {part} section"
    return match.group(0)


def test_every_check_has_a_rule():
    assert {answer.split("/")[0] for answer, _, _ in RULES} == set(CHECKS)


@pytest.mark.parametrize(("answer", "message", "sentence"), RULES, ids=[rule[0] for rule in RULES])
def test_the_rule_is_stated_and_enforced(answer, message, sentence):
    key = answer.split("/")[0]
    check = CHECKS[key]
    text = section(check.question, check.part)
    assert _flat(sentence) in _flat(text), f"the statement of {check.part} does not say {sentence!r}"
    path = CORPUS / f"{answer}.py"
    assert path.stem.startswith("wrong_"), f"{answer}: a rule is shown by a wrong answer"
    namespace = notebook_definitions(check.question)
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 (a corpus answer, like a notebook cell)
    function, arguments = check_arguments(key, namespace)
    with pytest.raises(AssertionError) as refused:
        run_check(function, *arguments)
    assert re.search(message, str(refused.value)), f"{answer}: {message!r} not in {str(refused.value)!r}"
