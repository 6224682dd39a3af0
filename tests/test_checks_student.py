"""call_student (utils/checks/_student.py): one ✗ line for every failure, a named stub, a time limit, global state."""

from __future__ import annotations

import io
import pickle
import threading
import time

import pytest
import torch

from utils.checks import _student, call_student


def compiled(source: str, name: str):
    """A function defined in a file of its own, as a notebook cell's function is (not library code)."""
    namespace = {"torch": torch}
    exec(compile(source, f"<cell {name}>", "exec"), namespace)  # noqa: S102
    return namespace[name]


def test_returns_the_result_and_swallows_prints(capsys):
    def noisy(x):
        print("debugging output")
        return x + 1

    assert call_student("1.1", noisy, 1) == 2
    assert capsys.readouterr().out == ""


def test_a_stub_is_unfinished_and_named():
    stub = compiled(
        'def linear_forward(x):\n    raise NotImplementedError("Q1.4: write linear_forward() here")\n', "linear_forward"
    )
    with pytest.raises(NotImplementedError, match=r"^Q1\.4 is not finished: linear_forward\(\) still raises"):
        call_student("1.4", stub, 1)


def test_a_stub_called_inside_another_function_is_named():
    namespace = {}
    source = (
        'def inner():\n    raise NotImplementedError("Q2.4: write inner() here")\n\ndef outer():\n    return inner()\n'
    )
    exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102
    with pytest.raises(NotImplementedError, match=r"^Q3\.3 is not finished: inner\(\)"):
        call_student("3.3", namespace["outer"])


def test_a_library_not_implemented_error_is_a_failure_not_a_stub():
    to_cpu = compiled("def to_cpu(t):\n    return t.cpu()\n", "to_cpu")
    with pytest.raises(
        AssertionError, match=r"^✗ 3\.3: to_cpu\(\) raised NotImplementedError: Cannot copy out of meta"
    ):
        call_student("3.3", to_cpu, torch.zeros(2, device="meta"))


def test_a_crash_names_the_exception_the_line_and_the_hint():
    crash = compiled("def flatten_images(x):\n    return x.view(-1, 7)\n", "flatten_images")
    with pytest.raises(AssertionError) as caught:
        call_student("1.1", crash, torch.zeros(3), hint=lambda error: f"hint for {type(error).__name__}")
    message = str(caught.value)
    assert message.startswith("✗ 1.1: flatten_images() raised RuntimeError: shape '[-1, 7]' is invalid")
    assert "(in flatten_images, line 2" in message and message.endswith(". hint for RuntimeError")
    assert caught.value.__traceback__ is None or len(caught.value.__traceback__.tb_frame.f_code.co_name) > 0


def test_a_failed_assert_of_the_student_says_which():
    asserting = compiled("def f(x):\n    assert x.dim() == 2\n    return x\n", "f")
    with pytest.raises(AssertionError, match=r"^✗ 1\.2: an assert in your code failed, line 2"):
        call_student("1.2", asserting, torch.zeros(3))


def test_a_check_failure_raised_inside_student_code_passes_through():
    def student(callback):
        return callback()

    def callback():
        raise AssertionError("✗ 1.4: not call F.linear")

    with pytest.raises(AssertionError, match=r"^✗ 1\.4: not call F\.linear$"):
        call_student("1.4", student, callback)


class Refused:
    def __reduce__(self):
        return (print, ("!",))


def test_a_weights_only_refusal_names_the_refused_global():
    buffer = io.BytesIO()
    torch.save({"x": Refused()}, buffer)

    def load():
        buffer.seek(0)
        return torch.load(buffer, weights_only=True)

    with pytest.raises(
        AssertionError, match=r"UnpicklingError: Unsupported global: GLOBAL (builtins\.)?print is not allowed"
    ):
        call_student("3.2", load)
    assert issubclass(pickle.UnpicklingError, Exception)


def test_an_endless_loop_is_stopped_with_a_hint():
    endless = compiled("def f():\n    while True:\n        pass\n", "f")
    start = time.perf_counter()
    with pytest.raises(AssertionError, match=r"^✗ 1\.2: f\(\) did not finish within 0\.5 s and was stopped"):
        call_student("1.2", endless, seconds=0.5)
    assert time.perf_counter() - start < 5


def test_an_endless_loop_that_catches_exceptions_is_stopped_too():
    endless = compiled(
        "def f():\n    while True:\n        try:\n            pass\n        except Exception:\n            pass\n", "f"
    )
    with pytest.raises(AssertionError, match="did not finish within"):
        call_student("1.2", endless, seconds=0.3)


def test_the_default_time_limit_is_read_at_call_time(monkeypatch):
    monkeypatch.setattr(_student, "TIME_LIMIT", 0.2)
    with pytest.raises(AssertionError, match="within 0.2 s"):
        call_student("1.2", compiled("def f():\n    while True:\n        pass\n", "f"))


def test_the_time_limit_works_outside_the_main_thread():
    """On Windows, or in a worker thread, a watchdog thread raises in the student's thread instead of SIGALRM."""
    outcome = []

    def worker():
        try:
            call_student("1.2", compiled("def f():\n    while True:\n        pass\n", "f"), seconds=0.3)
        except AssertionError as error:
            outcome.append(str(error))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive() and outcome and "did not finish within 0.3 s" in outcome[0]


def test_no_timer_is_left_behind():
    assert call_student("1.1", lambda: 3, seconds=0.05) == 3
    time.sleep(0.2)  # a stray alarm or watchdog would raise here


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda: torch.set_default_dtype(torch.float64), "default dtype from torch.float32 to torch.float64"),
        (lambda: torch.set_grad_enabled(False), "switched gradient tracking off"),
    ],
)
def test_a_global_setting_left_changed_is_reported_and_put_back(change, said):
    with pytest.raises(
        AssertionError, match=rf"^✗ 1\.2: <lambda>\(\) changed a setting of the whole notebook: .*{said}"
    ):
        call_student("1.2", change)
    assert torch.get_default_dtype() == torch.float32 and torch.is_grad_enabled()


def test_exit_in_student_code_is_a_failure_not_the_end_of_the_kernel():
    leaving = compiled("def f():\n    raise SystemExit(1)\n", "f")
    with pytest.raises(AssertionError, match=r"^✗ 2\.1: f\(\) called exit\(\) \(1\)"):
        call_student("2.1", leaving)
