"""Every page of both sites in a real browser, offline, light and dark, checked for access.

One Playwright session drives the system's Chromium (found as tests/test_jupyterlab.py finds
it) over each site, served by a local web server, with every request that is not to that
server blocked (and recorded). Each page is loaded once in the light theme and once after
the reader switches to the dark one (Quarto's colour-scheme toggle), and checked:

* **offline**: the page asks for nothing outside the site (no CDN, no web font); every
  formula is rendered by the site's own KaTeX, so no raw TeX (``\\(``, ``\\frac``...) is
  left in the text a reader sees;
* **accessibility**: axe-core (npm ``axe-core``, ``node_modules/``) finds no violation of
  the WCAG 2.0 and 2.1 A and AA rules (tags ``wcag2a wcag2aa wcag21a wcag21aa``), in either
  theme; :data:`EXEMPT` names the rules left out, and why (none now);
* **figures**: every image has alt text, and the plots are opaque (white, not see-through),
  so they stay readable on the dark background.

A screenshot of one page per site in each theme goes to ``test-artifacts/site/`` (git
ignores it; CI uploads it), with the axe results (``axe.json``) and each page's requests.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.image
import pytest
import yaml

from rendered_site import ROOT, render
from test_jupyterlab import chromium as chromium_binary
from test_site_browser import serve

pytestmark = pytest.mark.site

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "site"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: Rules of those tags that are not run, each with the reason. (None: every rule runs.)
EXEMPT: dict[str, str] = {}
PROFILES = ("solution", "student")
THEMES = ("light", "dark")
#: One page per site whose screenshots are kept: plots and callouts (solution), the
#: download callout and the stubs (student).
SCREENSHOTS = {"solution": "notebooks/hw08-q02.html", "student": "notebooks/hw08-q01.html"}
VIEWPORT = {"width": 1280, "height": 1600}
#: TeX a reader must never see: math delimiters and control words such as ``\frac``.
RAW_TEX = re.compile(r"\\[()\[\]]|\\(?:frac|big|left|right|mathbf|mathrm|varepsilon|sum|partial|text)\b|\$\S")


def page_names() -> list[str]:
    """The site's pages, from ``_quarto.yml``'s render list (``x.qmd``/``x.ipynb`` -> ``x.html``)."""
    config = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    return [str(Path(name).with_suffix(".html")) for name in config["project"]["render"]]


PAGES = [(profile, name) for profile in PROFILES for name in page_names()]

#: In the page: what is left of the math, the visible text outside code, and the images.
INSPECT = """() => {
  const math = [...document.querySelectorAll('span.math')];
  const unrendered = math.filter(m => !m.querySelector('.katex')).map(m => m.textContent.slice(0, 80));
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('pre, code, script, style, .katex-mathml, annotation')) continue;
    if (!parent.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    if (node.textContent.trim()) texts.push(node.textContent);
  }
  const images = [...document.querySelectorAll('main img, #quarto-content img')].map(img => {
    let opaque = null;
    if (img.complete && img.naturalWidth) {
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
      const context = canvas.getContext('2d');
      context.drawImage(img, 0, 0);
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let transparent = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] < 250) transparent++;
      opaque = transparent / (pixels.length / 4) < 0.01;
    }
    return {src: img.getAttribute('src'), alt: img.getAttribute('alt'), loaded: img.naturalWidth > 0, opaque};
  });
  return {math: math.length, unrendered, text: texts.join(' '), images,
          dark: document.body.classList.contains('quarto-dark')};
}"""


#: The dark theme is on and its stylesheet applied: the page's background is dark.
DARK_APPLIED = """() => {
  if (!document.body.classList.contains('quarto-dark')) return false;
  const rgb = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
  return (rgb[0] + rgb[1] + rgb[2]) / 3 < 80;
}"""


@dataclass
class View:
    """A page as the browser showed it in one theme."""

    violations: list[dict]
    inspected: dict
    screenshot: Path | None = None


@dataclass
class Audit:
    """One page: what it requested (all, and blocked), and its light and dark views."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    views: dict[str, View] = field(default_factory=dict)


def audit_page(context, base: str, name: str, shots: Path | None) -> Audit:
    audit = Audit()
    page = context.new_page()
    page.on("request", lambda request: audit.requests.append(request.url.removeprefix(base + "/")))
    page.on("pageerror", lambda error: audit.errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and audit.errors.append(message.text))
    page.goto(f"{base}/{name}", wait_until="networkidle")
    page.wait_for_function("() => [...document.querySelectorAll('span.math')].every(m => m.querySelector('.katex'))")
    for theme in THEMES:
        if theme == "dark":
            page.evaluate("window.scrollTo(0, 0)")  # (the navbar hides while the page is scrolled)
            page.locator(".quarto-color-scheme-toggle").first.click()
            page.wait_for_function(DARK_APPLIED)
            # The pointer leaves the navbar it clicked in, and the theme's colour transitions end,
            # so axe reads the page at rest (not a hovered link half-way through its transition).
            page.mouse.move(1, page.viewport_size["height"] - 1)
            page.wait_for_timeout(500)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "options => axe.run(document, options)",
            {
                "runOnly": {"type": "tag", "values": WCAG_TAGS},
                "rules": {rule: {"enabled": False} for rule in EXEMPT},
                "resultTypes": ["violations"],
            },
        )
        violations = [
            {
                "rule": violation["id"],
                "impact": violation["impact"],
                "help": violation["help"],
                "nodes": len(violation["nodes"]),
                "first": violation["nodes"][0]["target"] if violation["nodes"] else [],
                "why": (violation["nodes"][0].get("failureSummary") or "")[:300] if violation["nodes"] else "",
            }
            for violation in result["violations"]
        ]
        view = View(violations, page.evaluate(INSPECT))
        if shots is not None:
            # The first plot in the middle of the picture when there is one (code and its
            # output around it), else the top of the page (title, callouts, code).
            page.evaluate("""() => {
              const plot = document.querySelector('figure img');
              if (plot) plot.scrollIntoView({block: 'center'}); else window.scrollTo(0, 0);
            }""")
            view.screenshot = shots / f"{name.replace('/', '-').removesuffix('.html')}-{theme}.png"
            page.screenshot(path=str(view.screenshot))
        audit.views[theme] = view
    page.close()
    return audit


def local_only(base: str):
    """A route handler that lets requests to ``base`` through and blocks every other one."""

    def handle(route, request) -> None:
        if request.url.startswith(base + "/"):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    return handle


@pytest.fixture(scope="session")
def audits() -> dict[tuple[str, str], Audit]:
    """Every page of both sites, audited in one browser session: ``(profile, page) -> Audit``."""
    folders = {profile: render(profile).folder for profile in PROFILES}
    if not AXE.is_file():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing: run `make npm` (npm ci), which `make site` runs")
    executable = chromium_binary()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[test]'")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found: dict[tuple[str, str], Audit] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        for profile, folder in folders.items():
            with serve(folder) as base:
                context = browser.new_context(viewport=VIEWPORT)

                context.route("**/*", local_only(base))
                # Each page starts in the light theme (Quarto keeps the reader's choice there).
                context.add_init_script("window.localStorage.clear()")
                for name in page_names():
                    shots = ARTIFACTS / profile if SCREENSHOTS[profile] == name else None
                    if shots is not None:
                        shots.mkdir(exist_ok=True)
                    found[profile, name] = audit_page(context, base, name, shots)
                context.close()
        browser.close()
    report = {
        f"{profile}:{name}": {
            "requests": audit.requests,
            "blocked": outside(audit.requests),
            **{theme: view.violations for theme, view in audit.views.items()},
        }
        for (profile, name), audit in found.items()
    }
    (ARTIFACTS / "axe.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    return found


def outside(requests: list[str]) -> list[str]:
    """The requests that are not to the local server (those lost their base URL prefix)."""
    return [url for url in requests if re.match(r"^[a-z][a-z0-9+.-]*:", url) and not url.startswith("data:")]


@pytest.mark.parametrize(("profile", "name"), PAGES, ids=[f"{p}:{n}" for p, n in PAGES])
def test_page_requests_nothing_outside_the_site(audits, profile: str, name: str):
    audit = audits[profile, name]
    assert audit.requests, f"{profile}:{name}: the browser recorded no request at all"
    assert not outside(audit.requests), f"{profile}:{name} asks for files outside the site: {outside(audit.requests)}"


@pytest.mark.parametrize(("profile", "name"), PAGES, ids=[f"{p}:{n}" for p, n in PAGES])
def test_every_formula_renders_offline(audits, profile: str, name: str):
    inspected = audits[profile, name].views["light"].inspected
    assert not inspected["unrendered"], f"{profile}:{name}: formulas KaTeX did not render: {inspected['unrendered']}"
    raw = sorted(set(RAW_TEX.findall(inspected["text"])))
    assert not raw, f"{profile}:{name}: the page shows raw TeX {raw}"


def test_the_guide_and_question_pages_have_math_to_check(audits):
    """Keeps the formula check from passing on pages with no math at all."""
    counts = {name: audits["solution", name].views["light"].inspected["math"] for name in page_names()}
    assert counts["hw08.html"] and counts["notebooks/hw08-q01.html"], f"formulas per page: {counts}"
    assert sum(counts.values()) >= 40, f"the instructors' site shows only {sum(counts.values())} formulas: {counts}"


def test_raw_tex_is_recognised():
    assert RAW_TEX.findall(r"see \(\big(f(x + \varepsilon e_i)\big)\) or $x$")
    assert not RAW_TEX.findall("print('a\\n') costs 5 $ in total")


@pytest.mark.parametrize(("profile", "name"), PAGES, ids=[f"{p}:{n}" for p, n in PAGES])
@pytest.mark.parametrize("theme", THEMES)
def test_axe_finds_no_wcag_violation(audits, profile: str, name: str, theme: str):
    violations = audits[profile, name].views[theme].violations
    assert not violations, f"{profile}:{name} ({theme}): axe-core ({', '.join(WCAG_TAGS)}) finds:\n" + "\n".join(
        f"  {v['rule']} ({v['impact']}, {v['nodes']} nodes): {v['help']}; e.g. {v['first']}: {v['why']}"
        for v in violations
    )


@pytest.mark.parametrize(("profile", "name"), PAGES, ids=[f"{p}:{n}" for p, n in PAGES])
def test_pages_raise_no_script_error(audits, profile: str, name: str):
    errors = audits[profile, name].errors
    assert not errors, f"{profile}:{name}: errors in the browser: {errors}"


@pytest.mark.parametrize(("profile", "name"), PAGES, ids=[f"{p}:{n}" for p, n in PAGES])
def test_every_image_has_alt_text_and_stays_readable_in_dark_mode(audits, profile: str, name: str):
    for theme in THEMES:
        for image in audits[profile, name].views[theme].inspected["images"]:
            assert image["loaded"], f"{profile}:{name}: image {image['src']} does not load"
            assert (image["alt"] or "").strip(), f"{profile}:{name}: image {image['src']} has no alt text"
            assert image["opaque"], (
                f"{profile}:{name}: plot {image['src']} has a transparent background: its black text "
                "disappears on the dark theme (save figures with a facecolor)"
            )


def test_notebook_pages_have_plots_with_alt_text(audits):
    images = audits["solution", "notebooks/hw08-q02.html"].views["light"].inspected["images"]
    plots = [image for image in images if "figure-html" in (image["src"] or "")]
    assert len(plots) >= 4, f"question 2's page shows {len(plots)} plots"
    alts = [image["alt"] for image in plots]
    assert len(set(alts)) == len(alts), f"two plots share one alt text, so it cannot say what each shows: {alts}"


@pytest.mark.parametrize("profile", PROFILES)
def test_dark_mode_switches_the_page_and_keeps_it_readable(audits, profile: str):
    """The screenshots: the dark one is dark, and still has readable detail (text, code, plots)."""
    views = audits[profile, SCREENSHOTS[profile]].views
    assert views["dark"].inspected["dark"] and not views["light"].inspected["dark"]
    brightness = {}
    for theme, view in views.items():
        pixels = matplotlib.image.imread(view.screenshot)[..., :3]
        assert pixels.shape[:2] == (VIEWPORT["height"], VIEWPORT["width"])
        assert pixels.std() > 0.05, f"the {theme} screenshot {view.screenshot} is blank"
        brightness[theme] = float(pixels.mean())
    assert brightness["dark"] < brightness["light"] - 0.3, (
        f"{profile}: the dark theme is not dark (mean brightness {brightness})"
    )
