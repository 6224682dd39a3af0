"""A fresh folder and a minimal environment for each graded notebook's kernel (host side).

Layout of one sandbox (deleted after the notebook is graded)::

    <sandbox>/hw08-student/   a copy of the instructor's handout; the kernel runs in its notebooks/
    <sandbox>/tmp/            TMPDIR (the notebooks' temporary folders, ipykernel's cell files)
    <sandbox>/home/           HOME, matplotlib's and IPython's configuration and caches

The kernel's environment is built from nothing: no variable of the instructor's shell
(``HW08_*`` included) reaches it. It gets ``PATH``, a locale, the folders above, the data
folder (``HW08_DATA``), the device (``HW08_DEVICE``, default cpu), and its share of the
cores (``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HANDOUT = "hw08-student"


@dataclass(frozen=True)
class Sandbox:
    root: Path

    @property
    def handout(self) -> Path:
        return self.root / HANDOUT

    @property
    def notebooks(self) -> Path:
        return self.handout / "notebooks"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def home(self) -> Path:
        return self.root / "home"

    def protected(self) -> list[str]:
        """Every file of the handout copy: readable, never to be changed or deleted (nor its folder)."""
        return [str(p) for p in sorted(self.handout.rglob("*")) if p.is_file()]


def warm_matplotlib(cache: Path) -> None:
    """Build matplotlib's font cache once into ``cache`` (each kernel gets a copy instead of rebuilding it)."""
    cache.mkdir(parents=True, exist_ok=True)
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MPLCONFIGDIR": str(cache), "HOME": str(cache)}
    subprocess.run(
        [sys.executable, "-c", "import matplotlib.font_manager"],
        env=environment,
        check=True,
        capture_output=True,
        timeout=300,
    )


def create(root: Path, handout: Path, matplotlib_cache: Path | None) -> Sandbox:
    """A new sandbox at ``root`` holding a copy of ``handout``."""
    sandbox = Sandbox(root)
    root.mkdir(parents=True)
    shutil.copytree(handout, sandbox.handout, ignore=shutil.ignore_patterns("__pycache__"))
    sandbox.tmp.mkdir()
    (sandbox.home / "matplotlib").mkdir(parents=True)
    if matplotlib_cache is not None:
        for path in matplotlib_cache.glob("fontlist*.json"):
            shutil.copy2(path, sandbox.home / "matplotlib" / path.name)
    return sandbox


def environment(sandbox: Sandbox, data: Path, device: str, threads: int) -> dict[str, str]:
    """The kernel's complete environment (nothing inherited but ``PATH``)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(sandbox.home),
        "TMPDIR": str(sandbox.tmp),
        "PYTHONPATH": str(sandbox.handout),
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLCONFIGDIR": str(sandbox.home / "matplotlib"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "IPYTHONDIR": str(sandbox.home / "ipython"),
        "JUPYTER_CONFIG_DIR": str(sandbox.home / "jupyter"),
        "JUPYTER_DATA_DIR": str(sandbox.home / "jupyter-data"),
        "XDG_CACHE_HOME": str(sandbox.home / "cache"),
        "TORCHINDUCTOR_CACHE_DIR": str(sandbox.tmp / "inductor"),
        "HW08_DATA": str(data),
        "HW08_DEVICE": device,
        "OMP_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
    }


def remove(sandbox: Sandbox) -> None:
    """Delete the sandbox, whatever its code left in it (read-only files included)."""

    def force(function, path, _info) -> None:
        os.chmod(path, 0o700)
        function(path)

    if sys.version_info >= (3, 12):
        shutil.rmtree(sandbox.root, onexc=force)
    else:
        shutil.rmtree(sandbox.root, onerror=force)
