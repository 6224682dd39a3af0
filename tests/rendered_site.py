"""The rendered sites, shared by the site tests: each rendered once per test session with
``make site`` / ``make site-student`` (in the repository itself, as a user runs them), and
their pages parsed.

A missing ``quarto`` skips the site tests on a workstation and fails them under CI (``CI``
set), where ``.ci/run`` installs it (and Chromium, found as tests/test_jupyterlab.py finds it).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAMP = ".venv/.hw08-installed"
#: (make target, output folder); each render's budget is ``[tool.hw08.site-budgets]`` "make <target>".
SITES = {
    "solution": ("site", "_site"),
    "student": ("site-student", "_site-student"),
}
#: Text that must never reach a page: unexpanded shortcodes, nbval markers, build paths.
ABSOLUTE_ENV_PATH = re.compile(r"(?<![\w.])/(?:[\w.+-]+/)+site-packages\b")


def require(tool: str) -> str:
    """The path of ``tool``; skips the test when it is missing, fails it under CI."""
    found = shutil.which(tool)
    if found:
        return found
    message = f"{tool} is not on PATH (.ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}: under CI the site tests must run, not skip")
    pytest.skip(message)


def forbidden_text() -> list[str]:
    """Strings no page may contain: raw shortcodes, nbval markers and this machine's paths."""
    paths = {str(ROOT), os.path.realpath(ROOT), sys.prefix, os.path.realpath(sys.prefix)}
    return ["{{<", "NBVAL", "/.venv/", *sorted(paths)]


def leaks(text: str) -> list[str]:
    found = [needle for needle in forbidden_text() if needle in text]
    found += ABSOLUTE_ENV_PATH.findall(text)
    return found


def tree_state() -> dict[str, str]:
    """What ``git status`` lists (changed and untracked files), with a hash of each one's content."""
    result = subprocess.run(
        ["git", "status", "--porcelain=v1", "--untracked-files=all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"git status failed in {ROOT}: {result.stderr.strip()}"
    state = {}
    for line in result.stdout.splitlines():
        path = ROOT / line[3:].strip('"')
        digest = hashlib.sha1(path.read_bytes()).hexdigest() if path.is_file() else "-"
        state[line[3:]] = f"{line[:2]} {digest}"
    return state


@dataclass(frozen=True)
class Render:
    profile: str
    folder: Path
    seconds: float
    #: Paths whose ``git status`` entry the render changed (must stay empty).
    changed: tuple[str, ...]


def render(profile: str) -> Render:
    """The site of ``profile``, rendered once per session: a failed render fails every test
    that needs it, with the same message, without rendering again."""
    require("quarto")
    outcome = _render(profile)
    if isinstance(outcome, str):
        pytest.fail(outcome)
    return outcome


@functools.cache
def _render(profile: str) -> Render | str:
    """Run ``make site`` (or ``make site-student``); the environment running the tests is
    already installed, so make is told not to reinstall it (``-o``). A failure is returned
    as its message."""
    target, folder = SITES[profile]
    before = tree_state()
    start = time.perf_counter()
    result = subprocess.run(
        ["make", "-o", STAMP, target, f"PY={sys.executable}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        return f"make {target} failed (exit {result.returncode}):\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    after = tree_state()
    changed = tuple(sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path)))
    return Render(profile, ROOT / folder, seconds, changed)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


@dataclass(frozen=True)
class Page:
    path: Path
    html: str
    tags: tuple[tuple[str, dict[str, str]], ...]
    text: str

    @classmethod
    def read(cls, path: Path) -> Page:
        html = path.read_text(encoding="utf-8")
        parser = _PageParser()
        parser.feed(html)
        return cls(path, html, tuple(parser.tags), "".join(parser.text))

    def elements(self, tag: str, css_class: str | None = None) -> list[dict[str, str]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and (css_class is None or css_class in attrs.get("class", "").split())
        ]

    def local_links(self) -> list[str]:
        """Every ``href``/``src`` that points into the site (no scheme, not only a fragment)."""
        links = []
        for _tag, attrs in self.tags:
            for name in ("href", "src"):
                value = attrs.get(name)
                if value and not urlsplit(value).scheme and not value.startswith(("#", "//")):
                    links.append(value)
        return links

    def resolve(self, link: str) -> Path:
        return (self.path.parent / unquote(urlsplit(link).path)).resolve()


def pages(folder: Path) -> list[Page]:
    return [Page.read(path) for path in sorted(folder.rglob("*.html")) if "site_libs" not in path.parts]
