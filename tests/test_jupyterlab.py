"""The student's path in a real browser: JupyterLab as `make lab` starts it, in headless Chromium.

Playwright drives the system's Chromium (``$HW08_CHROMIUM``, else ``chromium``,
``chromium-browser`` or ``google-chrome`` on PATH; no browser download). One JupyterLab server,
started with the command and config of `make lab` (tools/jupyter_lab_config.py), serves a
temporary folder holding the student handout that tools/make_student.py builds and a copy of
the solution notebooks. Each notebook is opened, run with *Run > Run All Cells*, and checked
the way a student reads it:

* each handout notebook stops at its first part's ``NotImplementedError``, nothing after it runs
  (question 3 at the self-check of 2.4, whose loop it trains with, naming ``utils/training.py``);
* the student's path through a file of ``utils``: 2.2's check names ``utils/models.py``; the file
  is opened in JupyterLab's editor, the answer written and saved; the check cell, run again,
  prints its ✓ line (``%autoreload 2``: no restart);
* each solution notebook (with the handout's ``utils/models.py`` and ``utils/training.py``
  filled in, as for a student who finished 2.2 and 2.4) runs to the end with no error, prints every self-check's ``✓`` line,
  and draws the training progress bars of ``utils.fit`` as finished widgets, not text.

Questions 1 and 3 are cheap to run, and run here (question 3's ``fit`` draws the progress
bars). Question 2 trains for a minute or more, and ``make test`` has already run it once under
nbval: its solution is not trained again. Instead the executed copy that run wrote
(``_build/hw08-q02.ipynb``) is opened in JupyterLab and read the same way (every ``✓`` line, no
error); only when there is no such copy newer than the notebook and ``utils`` (this module run
alone) is it run in the browser. Nothing may show an error: no error output, no error dialog,
no uncaught exception or console error in the page.

Screenshots, the page's console and the server log go to test-artifacts/jupyterlab/. Each
notebook's wall time (open the page, run all, until the kernel is idle) is judged against its
budget in pyproject.toml ``[tool.hw08.browser-budgets]`` in calibrated units (tests/budgets.py),
and printed with the other budgets at the end of the run.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

import utils
from utils.parts import IN_UTILS, PARTS

ROOT = Path(__file__).resolve().parent.parent
LAB_CONFIG = ROOT / "tools" / "jupyter_lab_config.py"
ARTIFACTS = ROOT / "test-artifacts" / "jupyterlab"
NOTEBOOKS = sorted(path.name for path in (ROOT / "notebooks").glob("hw08-q*.ipynb"))
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Solution notebooks that train for a minute or more: their executed copy is read, not run again.
EXPENSIVE = {"hw08-q02.ipynb"}
EXECUTED = ROOT / "_build"
STUB_PART = re.compile(r'raise NotImplementedError\("Q(\d+\.\d+)')
CHECK_CALL = re.compile(r"\bchecks\.check_\w+\(")
FIT_CALL = re.compile(r"\bfit\(")

#: What the page shows of the open notebook, cell by cell (code, markdown or raw cells).
READ_CELLS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  return [...panel.querySelectorAll('.jp-Notebook .jp-Cell')].map(cell => ({
    code: cell.classList.contains('jp-CodeCell'),
    prompt: (cell.querySelector('.jp-InputArea-prompt') || {}).textContent || '',
    outputs: [...cell.querySelectorAll('.jp-OutputArea-output')].map(out => ({
      mime: out.getAttribute('data-mime-type') || '',
      text: out.textContent,
    })),
    bars: [...cell.querySelectorAll('.widget-hprogress, .jupyter-widget-hprogress')].map(bar => ({
      classes: ((bar.querySelector('.progress-bar') || {}).className || ''),
      text: bar.parentElement ? bar.parentElement.textContent : '',
    })),
  }));
}"""
#: Code cells queued or running ([*]) and code cells run ([n]) in the open notebook.
PROGRESS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const prompts = panel ? [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')] : [];
  const texts = prompts.map(prompt => prompt.textContent);
  return {cells: texts.length, busy: texts.filter(t => t.includes('*')).length,
          ran: texts.filter(t => /\\d/.test(t)).length};
}"""


def unavailable(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where the browser test must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the JupyterLab test must run, not skip)", pytrace=False)
    pytest.skip(reason)


def chromium() -> str:
    explicit = os.environ.get("HW08_CHROMIUM", "").strip()
    if explicit:
        if not Path(explicit).is_file():
            pytest.fail(f"HW08_CHROMIUM={explicit} is not a file: point it at a Chromium or Chrome binary")
        return explicit
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    unavailable(
        f"no Chromium found ({', '.join(BROWSERS)} on PATH, or HW08_CHROMIUM): "
        "install Debian's `chromium` (apt-get install chromium) or set HW08_CHROMIUM"
    )
    raise AssertionError("unreachable")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab server: its URL, token and the folder it serves."""

    url: str
    token: str
    root: Path

    def notebook_url(self, relative: str) -> str:
        # `reset`: a fresh workspace, so no tab of an earlier notebook is restored.
        return f"{self.url}/lab/tree/{relative}?reset&token={self.token}"


def wait_until_serving(process: subprocess.Popen, url: str, token: str, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {timeout:g} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``handout/`` (the student handout, as `make student` builds it) and ``solution/notebooks/``."""
    root = tmp_path_factory.mktemp("lab")
    build = root / "build"
    made = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_student.py"), "--output", str(build)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, f"make_student.py failed:\n{made.stdout}\n{made.stderr}"
    shutil.move(build / "student", root / "handout")
    shutil.rmtree(build)
    shutil.copy(root / "handout" / "utils" / "models.py", root / "handout" / "utils" / "models.py.stub")
    (root / "solution" / "notebooks").mkdir(parents=True)
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / name, root / "solution" / "notebooks" / name)
    return root


@pytest.fixture(scope="module")
def lab(served: Path, artifacts: Path) -> Iterator[Lab]:
    """JupyterLab started as `make lab` starts it, on a free port with a token, serving ``served``."""
    port, token = free_port(), os.urandom(16).hex()
    env = dict(os.environ)
    # The kernel imports the handout's utils (as after `pip install -e .` in the handout) and
    # reads the data this checkout already has.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(served / "handout"), env.get("PYTHONPATH")]))
    env["HW08_DATA"] = str(utils.data_root())
    # Lab's workspaces and settings stay out of the user's home.
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(served / "lab-workspaces")
    env["JUPYTERLAB_SETTINGS_DIR"] = str(served / "lab-settings")
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--config={LAB_CONFIG}",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
    ]
    log = artifacts / "server.log"
    with open(log, "w") as handle:
        process = subprocess.Popen(command, cwd=served, env=env, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, url, token, log)
        yield Lab(url, token, served)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser():
    executable = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        yield browser
        browser.close()


def fresh_executed_copy(name: str) -> Path | None:
    """``_build/<name>`` if it is newer than the notebook and every ``utils`` file (as make's rule reads it)."""
    copy = EXECUTED / name
    if not copy.is_file():
        return None
    sources = [ROOT / "notebooks" / name, *(ROOT / "utils").rglob("*.py")]
    newest = max(path.stat().st_mtime for path in sources)
    return copy if copy.stat().st_mtime > newest else None


@dataclass
class Run:
    """What the page showed after *Run All Cells*: cells as READ_CELLS reads them, and page errors."""

    cells: list[dict]
    seconds: float
    page_errors: list[str] = field(default_factory=list)

    def error_cells(self) -> list[int]:
        return [
            index
            for index, cell in enumerate(self.cells)
            if any("Traceback" in out["text"] or out["mime"].endswith("error") for out in cell["outputs"])
        ]

    def text(self, index: int) -> str:
        return "\n".join(out["text"] for out in self.cells[index]["outputs"])


def run_all(
    browser, lab: Lab, relative: str, artifacts: Path, timed, time_limit, run: bool = True
) -> tuple[Run, object]:
    """Open ``relative`` in JupyterLab, run all cells (unless ``run`` is false: an executed copy is only
    read), wait for the kernel; returns the run and the page. The time is judged against the budget."""
    name = relative.replace("/", "-").removesuffix(".ipynb")
    budget_key = relative.replace("executed/", "solution/")
    limit = time_limit("browser", budget_key)
    code_cells = sum(cell.cell_type == "code" for cell in nbformat.read(lab.root / relative, as_version=4).cells)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    console: list[str] = []
    page_errors: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: page_errors.append(f"uncaught: {error}"))
    page.on("console", lambda message: message.type == "error" and page_errors.append(f"console: {message.text}"))

    start = time.monotonic()
    page.goto(lab.notebook_url(relative))
    page.get_by_text("| Idle").wait_for(timeout=limit * 1000)
    page.wait_for_function(f"({PROGRESS})().cells === {code_cells}", timeout=limit * 1000)
    if run:
        page.locator("li.lm-MenuBar-item", has_text="Run").first.click()
        page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()
        page.wait_for_function(f"(() => {{ const p = ({PROGRESS})(); return p.busy > 0 || p.ran > 0; }})()")
    left = max(limit - (time.monotonic() - start), 1)
    try:
        page.wait_for_function(f"({PROGRESS})().busy === 0", timeout=left * 1000, polling=500)
        page.get_by_text("| Idle").wait_for(timeout=left * 1000)
    except Exception as error:  # noqa: BLE001 (a Playwright timeout: past its limit)
        page.screenshot(path=artifacts / f"{name}-timeout.png")
        pytest.fail(f"{relative}: Run All did not finish within {limit:.0f} s, 3 times its scaled budget ({error})")
    seconds = time.monotonic() - start
    verdict = timed(f"JupyterLab {relative}", seconds, "browser", budget_key)
    assert not verdict.failed, verdict.failure()
    if run:  # widgets render after their output arrives: wait until none says it is still loading
        page.wait_for_function(
            "() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)').textContent"
            ".includes('Loading widget')",
            timeout=30_000,
        )
    if page.locator(".jp-Dialog").count():
        page_errors.append(f"dialog: {page.locator('.jp-Dialog').first.text_content()}")
    (artifacts / f"{name}-console.txt").write_text("\n".join(console) + "\n")
    result = Run(page.evaluate(READ_CELLS), seconds, page_errors)
    assert len(result.cells) == len(nbformat.read(lab.root / relative, as_version=4).cells), "cells not all shown"
    return result, page


def screenshot_cell(page, index: int, path: Path) -> None:
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    page.screenshot(path=path)


def first_stop(notebook: nbformat.NotebookNode) -> tuple[str, str]:
    """``(part, file)`` of the first stub an untouched handout notebook runs into: a stub cell of the notebook
    (file ``""``), or, before it, a self-check of what the student writes in ``utils`` (question 3 runs 2.4's)."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if match := STUB_PART.search(cell.source):
            return match.group(1), ""
        for name, file in IN_UTILS.items():
            if CHECK_CALL.search(cell.source) and f"utils.{name}" in cell.source:
                return next(p.id for p in PARTS if name in p.functions), file
    raise AssertionError("the handout notebook has no stub")


def fill_in_utils(lab: Lab) -> None:
    """The handout's utils/models.py and utils/training.py as a student who finished 2.2 and 2.4 has them."""
    for file in sorted(set(IN_UTILS.values())):
        shutil.copy(ROOT / file, lab.root / "handout" / file)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_handout_stops_at_the_first_parts_not_implemented_error(
    browser, lab: Lab, artifacts: Path, notebook: str, timed, time_limit
):
    relative = f"handout/notebooks/{notebook}"
    source = nbformat.read(lab.root / relative, as_version=4)
    first_part, file = first_stop(source)

    run, page = run_all(browser, lab, relative, artifacts, timed, time_limit)
    errors = run.error_cells()
    if errors:
        screenshot_cell(page, errors[0], artifacts / f"handout-{notebook.removesuffix('.ipynb')}.png")
    page.context.close()

    assert len(errors) == 1, f"{relative}: error outputs in cells {errors}, expected exactly one"
    failed = errors[0]
    message = run.text(failed)
    assert "NotImplementedError" in message and f"Q{first_part}" in message and file in message, (
        f"{relative}: cell {failed} shows {message[-400:]!r}, not the NotImplementedError of part {first_part}"
    )
    code = [index for index, cell in enumerate(run.cells) if cell["code"]]
    not_run = [index for index in code if index < failed and not re.search(r"\d", run.cells[index]["prompt"])]
    ran_after = [index for index in code if index > failed and re.search(r"\d", run.cells[index]["prompt"])]
    assert not not_run and not ran_after, f"{relative}: before the error not run {not_run}; after it ran {ran_after}"
    assert not run.page_errors, f"{relative}: the page showed errors: {run.page_errors}"


@pytest.mark.parametrize(
    "notebook",
    # An expensive notebook's test runs after the notebooks (marker), to read the executed copy they wrote.
    [pytest.param(name, marks=[pytest.mark.after_notebooks] if name in EXPENSIVE else []) for name in NOTEBOOKS],
)
def test_solution_runs_with_every_check_passed_and_progress_widgets(
    browser, lab: Lab, artifacts: Path, notebook: str, timed, time_limit
):
    relative = f"solution/notebooks/{notebook}"
    fill_in_utils(lab)  # the kernel imports the handout's utils: 2.2 and 2.4 done, as the solutions assume
    executed = fresh_executed_copy(notebook) if notebook in EXPENSIVE else None
    if executed is not None:  # what nbval ran in this test run, opened as a student opens a run notebook
        relative = f"executed/notebooks/{notebook}"
        (lab.root / "executed" / "notebooks").mkdir(parents=True, exist_ok=True)
        shutil.copy(executed, lab.root / relative)
    source = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    run, page = run_all(browser, lab, relative, artifacts, timed, time_limit, run=executed is None)
    with_bars = [index for index, cell in enumerate(run.cells) if cell["bars"]]
    last_check = max(index for index, cell in enumerate(source.cells) if CHECK_CALL.search(cell.source))
    screenshot_cell(
        page, (with_bars or [last_check])[-1], artifacts / f"solution-{notebook.removesuffix('.ipynb')}.png"
    )
    page.context.close()

    assert not run.error_cells(), f"{relative}: errors in cells {run.error_cells()}"
    assert not run.page_errors, f"{relative}: the page showed errors: {run.page_errors}"
    not_run = [i for i, cell in enumerate(run.cells) if cell["code"] and not re.search(r"\d", cell["prompt"])]
    assert not not_run, f"{relative}: cells {not_run} did not run"

    for index, cell in enumerate(source.cells):
        if cell.cell_type != "code":
            continue
        expected = len(CHECK_CALL.findall(cell.source))
        ticks = [line for line in run.text(index).splitlines() if line.startswith("✓ ")]
        assert len(ticks) == expected, f"{relative}: cell {index} shows {len(ticks)} ✓ lines, expected {expected}"
    if executed is not None:
        return  # the widgets of a finished run live in its kernel: question 3's run shows them

    texts = "\n".join(run.text(index) for index in range(len(run.cells)))
    for fallback in ("IProgress not found", "Error displaying widget", "HBox(children="):
        assert fallback not in texts, f"{relative}: a progress bar fell back to text ({fallback!r})"
    bars = [bar for cell in run.cells for bar in cell["bars"]]
    unfinished = [bar["text"] for bar in bars if "progress-bar-success" not in bar["classes"]]
    assert not unfinished, f"{relative}: progress bars not finished: {unfinished}"
    shows_progress = any(
        FIT_CALL.search(cell.source) and "progress=False" not in cell.source
        for cell in source.cells
        if cell.cell_type == "code"
    )
    if shows_progress:
        assert bars, f"{relative}: training runs, but no progress bar widget was drawn"


#: The notebook of the student's path through utils/models.py: question 2's first cell, make_sequential, 2.2's check.
UTILS_PATH_NOTEBOOK = "handout/notebooks/hw08-q02-utils.ipynb"


def test_the_student_writes_mlp_in_utils_models_py_and_the_rerun_check_passes(
    browser, lab: Lab, artifacts: Path, timed, time_limit
):
    """2.2 as a student does it: the check names utils/models.py; the file is opened in JupyterLab's editor, the
    answer written there and saved; the check cell, run again in the same kernel (autoreload), prints its ✓ line."""
    handout = lab.root / "handout"
    shutil.copy(handout / "utils" / "models.py.stub", handout / "utils" / "models.py")  # as handed out
    solution = nbformat.read(ROOT / "notebooks" / "hw08-q02.ipynb", as_version=4)
    setup = next(cell.source for cell in solution.cells if cell.cell_type == "code")
    sequential = next(c.source for c in solution.cells if c.cell_type == "code" and "def make_sequential(" in c.source)
    check = next(c.source for c in solution.cells if c.cell_type == "code" and "checks.check_mlp(" in c.source)
    assert "%autoreload 2" in setup and "utils.MLP" in check
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in (setup, sequential, check)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, lab.root / UTILS_PATH_NOTEBOOK)

    run, page = run_all(browser, lab, UTILS_PATH_NOTEBOOK, artifacts, timed, time_limit)
    assert run.error_cells() == [2], f"errors in cells {run.error_cells()}, expected the check's only"
    message = run.text(2)
    assert "Q2.2 is not finished" in message and "utils/models.py" in message, message[-400:]
    screenshot_cell(page, 2, artifacts / "utils-path-1-check-names-the-file.png")

    answer = (ROOT / "utils" / "models.py").read_text(encoding="utf-8")
    page.goto(f"{lab.url}/lab/tree/handout/utils/models.py?token={lab.token}")
    editor = page.locator(".jp-FileEditor:not(.lm-mod-hidden) .cm-content")
    editor.wait_for(timeout=60_000)
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(answer)
    page.keyboard.press("Control+S")
    deadline = time.monotonic() + 30
    while (handout / "utils" / "models.py").read_text(encoding="utf-8") != answer and time.monotonic() < deadline:
        time.sleep(0.25)
    page.screenshot(path=artifacts / "utils-path-2-models-py-written.png")
    assert (handout / "utils" / "models.py").read_text(encoding="utf-8") == answer, "the editor did not save it"

    page.goto(f"{lab.url}/lab/tree/{UTILS_PATH_NOTEBOOK}?token={lab.token}")  # back to the notebook, same kernel
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(2)
    cell.locator(".cm-content").wait_for(timeout=60_000)
    page.get_by_text("| Idle").wait_for(timeout=60_000)
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        "() => { const c = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')[2];"
        " return c && c.textContent.includes('✓ 2.2'); }",
        timeout=120_000,
    )
    again = Run(page.evaluate(READ_CELLS), 0.0)
    screenshot_cell(page, 2, artifacts / "utils-path-3-check-passes.png")
    page.context.close()
    assert again.error_cells() == [], again.text(2)[-400:]
    assert any(line.startswith("✓ 2.2 ") for line in again.text(2).splitlines())


def test_question_3_draws_progress_bars_in_the_browser():
    """The widgets are proven on a notebook the browser runs: question 3 must call fit with its progress bar."""
    source = nbformat.read(ROOT / "notebooks" / "hw08-q03.ipynb", as_version=4)
    assert "hw08-q03.ipynb" not in EXPENSIVE
    assert any(
        FIT_CALL.search(cell.source) and "progress=False" not in cell.source
        for cell in source.cells
        if cell.cell_type == "code"
    ), "no fit call of question 3 shows its progress bar: the browser test would prove no widget"


def test_a_missing_chromium_fails_in_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("HW08_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no browser on it
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run, not skip"):
        chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no Chromium found"):
        chromium()
    monkeypatch.setenv("HW08_CHROMIUM", str(tmp_path / "chrome"))
    with pytest.raises(pytest.fail.Exception, match="HW08_CHROMIUM"):
        chromium()
