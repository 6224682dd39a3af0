"""The rendered pages in a real browser: headless Chromium loads them from a local web
server, runs their scripts, and the DOM it ends with is checked; a screenshot of each is
kept in ``<site>/browser-check/``. tests/test_site_access.py checks every page offline
(math, requests), for accessibility (axe-core) and in the dark theme.
"""

from __future__ import annotations

import functools
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import matplotlib.image
import pytest

from rendered_site import ROOT, Page, leaks, render
from test_jupyterlab import chromium as chromium_binary

pytestmark = pytest.mark.site

#: (profile, page): the guide, a notebook page with plots, a student notebook page.
PAGES = [("solution", "hw08.html"), ("solution", "notebooks/hw08-q02.html"), ("student", "notebooks/hw08-q01.html")]
HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--virtual-time-budget=10000",  # let the page's scripts run before the DOM is taken
    "--window-size=1280,1600",
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """A web server for ``folder`` on a free local port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def chromium(*arguments: str) -> subprocess.CompletedProcess:
    browser = chromium_binary()  # $HW08_CHROMIUM, else chromium... on PATH; skips (fails under CI) if none
    with tempfile.TemporaryDirectory(prefix="hw08-chromium-") as profile:
        result = subprocess.run(
            [browser, *HEADLESS, f"--user-data-dir={profile}", *arguments],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, f"chromium {' '.join(arguments)} failed:\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module", params=PAGES, ids=[f"{profile}:{page}" for profile, page in PAGES])
def loaded(request) -> tuple[Page, Page, str, Path]:
    """(the page as Quarto wrote it, the DOM after its scripts ran, Chromium's log, the screenshot)."""
    profile, name = request.param
    folder = render(profile).folder
    screenshot = folder / "browser-check" / name.replace("/", "-").replace(".html", ".png")
    screenshot.parent.mkdir(exist_ok=True)
    with serve(folder) as base:
        dom = chromium("--dump-dom", f"{base}/{name}")
        shot = chromium(f"--screenshot={screenshot}", f"{base}/{name}")
    dumped = folder / "browser-check" / name.replace("/", "-").replace(".html", ".dom.html")
    dumped.write_text(dom.stdout, encoding="utf-8")
    return Page.read(folder / name), Page.read(dumped), dom.stderr + shot.stderr, screenshot


def test_navbar_toc_and_callouts_are_in_the_dom(loaded):
    source, dom, _log, _shot = loaded
    assert dom.elements("nav", "navbar"), f"{source.path.name}: no navbar in the DOM"
    toc = [tag for tag in dom.elements("nav") if tag.get("id") == "TOC"]
    assert toc, f"{source.path.name}: no table of contents (nav#TOC) in the DOM"
    # (the page's scripts rewrite the links to full URLs, keeping the target in data-scroll-target)
    sections = [a for a in dom.elements("a", "nav-link") if a.get("data-scroll-target", "").startswith("#")]
    assert sections, f"{source.path.name}: the table of contents lists no section"
    callouts = len(source.elements("div", "callout"))
    assert len(dom.elements("div", "callout")) == callouts, f"{source.path.name}: callouts lost in the DOM"
    if source.path.name == "hw08.html":
        assert callouts, "the guide shows no callout"
    if "_site-student" in source.path.parts:
        assert callouts, "the student notebook page lacks its download callout"


def test_dom_shows_no_markers_shortcodes_or_build_paths(loaded):
    source, dom, _log, _shot = loaded
    assert not leaks(dom.html), f"{source.path.name}: the page shows {leaks(dom.html)}"


def test_page_scripts_raise_no_error(loaded):
    source, _dom, log, _shot = loaded
    uncaught = [line for line in log.splitlines() if "CONSOLE" in line and "Uncaught" in line]
    assert not uncaught, f"{source.path.name}: script errors in the browser:\n" + "\n".join(uncaught)


def test_screenshot_is_kept_and_not_blank(loaded):
    source, _dom, _log, screenshot = loaded
    assert screenshot.is_file(), f"no screenshot of {source.path.name}"
    pixels = matplotlib.image.imread(screenshot)
    assert pixels.shape[:2] == (1600, 1280)
    assert pixels.std() > 0.05, f"the screenshot of {source.path.name} ({screenshot.relative_to(ROOT)}) is blank"
