"""A fresh folder, a minimal environment and an operating-system sandbox for each graded notebook's kernel.

Each kernel runs under bubblewrap (:func:`launch`): its own network, process, IPC and
host-name namespaces, only this folder writable (the handout in it read-only but for its
``notebooks/``), Python, the system's libraries and the data read-only, nothing else of the
machine; as an unprivileged user when the grader is root; with limits on memory, processes,
file size and CPU time set before the kernel starts (:class:`Resources`), and, where the grader
is root and a memory cgroup can be made, one memory limit for the kernel and all it starts
together (:class:`MemoryGroup`). :func:`require`
refuses to grade where bubblewrap cannot run.

Layout of one sandbox (deleted after the notebook is graded)::

    <sandbox>/hw08-student/   a copy of the instructor's handout (the student's utils/models.py and
                              utils/training.py in place of its stubs); the kernel runs in its notebooks/
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
import threading
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

    def layers(self) -> list[tuple[str, str]]:
        """The mounts over the sandbox's folder, in order: the handout read-only, its ``notebooks`` writable
        (the kernel's working folder) but the files in it read-only. Mount points cannot be renamed or removed."""
        files = [str(p) for p in sorted(self.notebooks.rglob("*")) if p.is_file()]
        return [("--ro-bind", str(self.handout)), ("--bind", str(self.notebooks)), *(("--ro-bind", f) for f in files)]


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


#: The handout files a submission may replace: the student's own files of ``utils`` (questions 2.2 and 2.4).
STUDENT_FILES = ("utils/models.py", "utils/training.py")


def create(
    root: Path, handout: Path, matplotlib_cache: Path | None, student_files: dict[str, bytes] | None = None
) -> Sandbox:
    """A new sandbox at ``root`` holding a copy of ``handout``, with ``student_files`` (``"utils/models.py"`` ->
    bytes; only :data:`STUDENT_FILES`) in place of the handout's stubs."""
    sandbox = Sandbox(root)
    root.mkdir(parents=True)
    shutil.copytree(handout, sandbox.handout, ignore=shutil.ignore_patterns("__pycache__"))
    for name, data in sorted((student_files or {}).items()):
        if name not in STUDENT_FILES:
            raise ValueError(f"{name} is not a file a submission may replace (only {', '.join(STUDENT_FILES)})")
        (sandbox.handout / name).write_bytes(data)
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


# --------------------------------------------------------------------------------------------
# The operating-system sandbox: every grading kernel runs under bubblewrap.

BWRAP = "bwrap"
#: A tiny launcher run by the kernel's Python inside the sandbox: sets the resource limits
#: (so they hold for the kernel and everything it starts), then becomes the kernel.
LAUNCHER = (
    "import os, resource, sys\n"
    "for item in filter(None, sys.argv[1].split(',')):\n"
    "    name, soft, hard = item.split(':')\n"
    "    resource.setrlimit(getattr(resource, name), (int(soft), int(hard)))\n"
    "os.execv(sys.executable, [sys.executable, *sys.argv[2:]])\n"
)
#: Files of /etc a Python kernel needs (the dynamic linker's cache, the time zone); no other.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives")
SYSTEM_ROOTS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: The unprivileged user ids kernels run as when the grader runs as root: one per live kernel.
UID_BASE = 1_500_000_000
FIX = (
    "Fix: install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap) "
    "and allow unprivileged user namespaces (Ubuntu 24.04: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0; "
    "Debian before 11: sysctl -w kernel.unprivileged_userns_clone=1). Inside a container, run it with "
    "--privileged or --cap-add SYS_ADMIN, or grade on the host. Or pass --no-sandbox (make grade NO_SANDBOX=1) "
    "to grade without it, on a machine you can afford to lose: student code then runs as you."
)


class Unavailable(SystemExit):
    """bubblewrap cannot run here: ``make grade`` refuses to grade (unless ``--no-sandbox``)."""


@dataclass(frozen=True)
class Resources:
    """The operating system's limits on one grading kernel and everything it starts.

    ``memory_bytes`` limits the data segment (``RLIMIT_DATA``: heap, anonymous memory,
    tensors), not the address space: torch maps about 3 GB of shared libraries, which use no
    memory of their own. ``processes`` counts threads too (``RLIMIT_NPROC``; the kernel uses
    about ten, plus one per torch thread). ``folder_bytes`` is the working folder's total,
    checked by the grader every second.
    """

    memory_bytes: int = 4 * 2**30
    processes: int = 32
    file_bytes: int = 512 * 2**20
    folder_bytes: int = 2 * 2**30
    cpu_seconds: int | None = None  # default: the notebook's time limit times its threads

    def rlimits(self, threads: int, notebook_seconds: float, sandboxed: bool) -> dict[str, tuple[int, int]]:
        import math

        cpu = self.cpu_seconds or math.ceil(notebook_seconds * max(1, threads)) + 60
        limits = {
            "RLIMIT_DATA": (self.memory_bytes, self.memory_bytes),
            "RLIMIT_FSIZE": (self.file_bytes, self.file_bytes),
            "RLIMIT_CPU": (cpu, cpu + 5),
            "RLIMIT_CORE": (0, 0),
        }
        if sandboxed:  # outside a user namespace the count is every process of the grader's own user
            limits["RLIMIT_NPROC"] = (self.processes + threads, self.processes + threads)
        return limits


def _as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


class _UserIds:
    """Distinct unprivileged user ids for the kernels alive at once (the process limit counts per user)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.used: set[int] = set()
        self.base = UID_BASE + (os.getpid() % 2**16) * 2**8

    def take(self) -> int:
        with self.lock:
            uid = next(self.base + n for n in range(2**8) if self.base + n not in self.used)
            self.used.add(uid)
            return uid

    def give_back(self, uid: int) -> None:
        with self.lock:
            self.used.discard(uid)


USER_IDS = _UserIds()


#: Joins the memory group (its first argument), then becomes the rest of its arguments (bubblewrap).
JOIN = "import os, sys; open(sys.argv[1], 'w').write(str(os.getpid())); os.execvp(sys.argv[2], sys.argv[2:])"
CGROUP_ROOTS = ("/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/memory")


@dataclass(frozen=True)
class MemoryGroup:
    """A memory cgroup holding one kernel and every process it starts: ``limit`` bytes for all of them together.

    The per-process ``RLIMIT_DATA`` alone lets a kernel's children each take that much; the
    group caps their sum (the kernel of the operating system kills a process of the group
    when it is reached). Made when the grader is root and a memory hierarchy (cgroup v2 with
    the memory controller, or v1's ``memory``) is writable; elsewhere only the per-process
    limit holds.
    """

    path: Path
    version: int
    limit: int

    @property
    def procs(self) -> Path:
        return self.path / "cgroup.procs"

    def argv(self, command: list[str]) -> list[str]:
        return [sys.executable, "-c", JOIN, str(self.procs), *command]

    def oom_kills(self) -> int:
        """How many of the group's processes the limit has killed so far."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            lines = (self.path / name).read_text().splitlines()
        except OSError:
            return 0
        for line in lines:
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip().isdigit():
                return int(value)
        if self.version == 1:  # kernels before 4.13 count no kills: a failed charge is the nearest sign
            try:
                return min(1, int((self.path / "memory.failcnt").read_text().strip() or 0))
            except (OSError, ValueError):
                return 0
        return 0

    def remove(self) -> None:
        """Kill whatever is left in the group and delete it."""
        import signal
        import time

        for _ in range(50):
            try:
                pids = [int(p) for p in self.procs.read_text().split()]
            except (OSError, ValueError):
                pids = []
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.1)


_GROUPS = {"count": 0}


def memory_groups() -> bool:
    """Whether a memory group can be made here (tried once)."""
    if "groups" not in _GROUPS:
        group = memory_group(2**30)
        if group is not None:
            group.remove()
        _GROUPS["groups"] = group is not None
    return bool(_GROUPS["groups"])


def _sweep() -> None:
    """Empty and delete the groups of graders that no longer run (killed before they could)."""
    for root in CGROUP_ROOTS:
        for path in Path(root).glob("hw08-grading-*-*"):
            pid = path.name.split("-")[2]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                MemoryGroup(path, 2 if (Path(root) / "cgroup.controllers").is_file() else 1, 0).remove()


def memory_group(limit: int) -> MemoryGroup | None:
    """A new memory cgroup of ``limit`` bytes for one kernel, or ``None`` where none can be made."""
    if not (_as_root() and sys.platform == "linux"):
        return None
    with USER_IDS.lock:
        if _GROUPS["count"] == 0:
            _sweep()
        _GROUPS["count"] += 1
        name = f"hw08-grading-{os.getpid()}-{_GROUPS['count']}"
    for root in CGROUP_ROOTS:
        base = Path(root)
        if (base / "cgroup.controllers").is_file():  # v2: the memory controller must be on for children
            try:
                if "memory" not in (base / "cgroup.subtree_control").read_text().split():
                    continue
            except OSError:
                continue
            version, limit_file, swap_file = 2, "memory.max", "memory.swap.max"
        elif (base / "memory.limit_in_bytes").is_file():
            version, limit_file, swap_file = 1, "memory.limit_in_bytes", "memory.memsw.limit_in_bytes"
        else:
            continue
        path = base / name
        try:
            path.mkdir()
        except OSError:
            continue
        try:
            (path / limit_file).write_text(str(limit))
            if (path / swap_file).exists():
                try:
                    (path / swap_file).write_text("0" if version == 2 else str(limit))
                except OSError:
                    pass
            return MemoryGroup(path, version, limit)
        except OSError:
            try:
                path.rmdir()
            except OSError:
                pass
    return None


@dataclass(frozen=True)
class Launch:
    """How one kernel is started: ``argv`` (with ``{connection_file}``), as which user, where its sockets are."""

    argv: list[str]
    folder: Path  # the kernel's writable folder: connection file and sockets live here
    uid: int | None  # the kernel's user when the grader is root (the connection file is handed to it)
    resources: Resources
    sandboxed: bool
    group: MemoryGroup | None = None

    @property
    def connection_file(self) -> Path:
        return self.folder / "kernel.json"

    @property
    def socket_prefix(self) -> str:
        return str(self.folder / "kernel")


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root + "/") for root in roots)


def _ancestors(paths: list[str]) -> list[str]:
    found: set[str] = set()
    for path in paths:
        parent = os.path.dirname(path.rstrip("/"))
        while parent not in ("", "/"):
            found.add(parent)
            parent = os.path.dirname(parent)
    return sorted(found, key=lambda p: (p.count("/"), p))


def python_mounts() -> list[str]:
    """The folders of this Python that a kernel needs: its prefixes and site-packages (as seen and as real paths)."""
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    candidates += [p for p in sys.path if p and os.path.isabs(p) and ("site-packages" in p or "dist-packages" in p)]
    found: list[str] = []
    for path in candidates:
        for variant in (os.path.abspath(path), os.path.realpath(path)):
            if os.path.isdir(variant) and not _under(variant, SYSTEM_ROOTS):
                found.append(variant)
    found = sorted(dict.fromkeys(found))
    return [p for p in found if not any(p != q and _under(p, (q,)) for q in found)]


def bwrap_arguments(
    writable: Path, read_only: list[Path], layers: list[tuple[str, str]], cwd: str, uid: int | None
) -> list[str]:
    """bubblewrap's command line for a kernel (everything before the kernel's own command).

    Mounted: the system's programs and libraries (``/usr``), this Python, ``read_only``
    (read-only), ``writable`` (read-write, the kernel's folder) with ``layers`` (``(option, path)``:
    ``--ro-bind`` or ``--bind`` of a path inside it, in order) over it, a ``/proc`` and ``/dev`` of the kernel's own, small
    ``/tmp`` and ``/dev/shm``. Nothing else of the machine: no home folder, no repository,
    no submissions. New network, process, IPC and host-name namespaces.
    """
    if uid is not None:  # root: bwrap uses its own privileges, then setpriv drops to ``uid``
        namespaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
        namespaces += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        namespaces += ["--cap-add", "CAP_SETPCAP"]
    else:
        namespaces = ["--unshare-all", "--unshare-user"]
    args = [BWRAP, *namespaces, "--die-with-parent", "--new-session", "--hostname", "grading"]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(64 * 2**20), "--perms", "1777", "--tmpfs", "/dev/shm"]
    args += ["--size", str(64 * 2**20), "--perms", "1777", "--tmpfs", "/tmp"]
    for root in SYSTEM_ROOTS:
        if os.path.islink(root):
            args += ["--symlink", os.readlink(root), root]
        elif os.path.isdir(root):
            args += ["--ro-bind", root, root]
    mounts = [*python_mounts(), *(os.path.abspath(p) for p in read_only)]
    folder = os.path.abspath(writable)
    etc = [f"/etc/{name}" for name in ETC_FILES if os.path.exists(f"/etc/{name}")]
    for parent in _ancestors([*mounts, folder, *etc]):
        if parent != "/tmp" and not _under(parent, SYSTEM_ROOTS):
            args += ["--perms", "0755", "--dir", parent]  # bwrap would make them 0700: the kernel's user could not pass
    for path in etc:
        args += ["--ro-bind", path, path]
    for path in dict.fromkeys(mounts):
        args += ["--ro-bind", path, path]
    args += ["--bind", folder, folder]
    for option, path in layers:
        args += [option, path, path]
    args += ["--chdir", cwd]
    args += ["--setenv", "JPY_PARENT_PID", "1"]  # its parent is the namespace's init: no poller (--die-with-parent)
    if uid is not None:
        setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
        args += ["--", setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs"]
        args += ["--inh-caps=-all", "--bounding-set=-all"]
    args.append("--")
    return args


def limited(limits: dict[str, tuple[int, int]], arguments: list[str]) -> list[str]:
    """The command running this Python with ``arguments`` under the resource ``limits`` (set before it starts)."""
    encoded = ",".join(f"{name}:{soft}:{hard}" for name, (soft, hard) in limits.items())
    return [sys.executable, "-c", LAUNCHER, encoded, *arguments]


def launch(
    box: Sandbox,
    read_only: list[Path],
    resources: Resources,
    threads: int,
    notebook_seconds: float,
    sandboxed: bool = True,
) -> Launch:
    """How to start ``box``'s kernel: under bubblewrap (``sandboxed``), or directly, with the limits."""
    uid = USER_IDS.take() if sandboxed and _as_root() else None
    limits = resources.rlimits(threads, notebook_seconds, sandboxed)
    kernel = limited(limits, ["-m", "ipykernel_launcher", "-f", "{connection_file}"])
    prefix: list[str] = []
    group = None
    if sandboxed:
        prefix = bwrap_arguments(box.root, read_only, box.layers(), str(box.notebooks), uid)
        if uid is not None:
            _hand_over(box, uid)
        group = memory_group(resources.memory_bytes)
    argv = prefix + kernel
    return Launch(group.argv(argv) if group else argv, box.root, uid, resources, sandboxed, group)


def _hand_over(box: Sandbox, uid: int) -> None:
    """Give the kernel's user the sandbox's folders (the handout's files stay the grader's, read-only)."""
    os.chown(box.root, uid, uid)
    for path in [box.tmp, box.home, *box.home.rglob("*")]:
        os.chown(path, uid, uid)
    for path in [box.handout, *box.handout.rglob("*")]:
        if path.is_dir():
            os.chown(path, uid, uid)


def release(launch: Launch) -> None:
    if launch.group is not None:
        launch.group.remove()
    if launch.uid is not None:
        USER_IDS.give_back(launch.uid)


_PROBE: dict[str, str | None] = {}
_PROBE_LOCK = threading.Lock()


def probe() -> str | None:
    """``None`` when a sandboxed process runs here (tried once, with the kernels' own options), else why not."""
    with _PROBE_LOCK:
        if "result" not in _PROBE:
            _PROBE["result"] = _try_bwrap()
        return _PROBE["result"]


def _try_bwrap() -> str | None:
    if sys.platform != "linux":
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if shutil.which(BWRAP) is None:
        return "bubblewrap (bwrap) is not installed"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="hw08-sandbox-probe-") as temporary:
        folder = Path(temporary)
        uid = UID_BASE - 1 if _as_root() else None
        folder.chmod(0o755)
        if uid is not None:
            os.chown(folder, uid, uid)
        command = [*bwrap_arguments(folder, [], [], str(folder), uid), sys.executable, "-c", "import os"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        except (OSError, subprocess.SubprocessError) as error:
            return f"bubblewrap does not start: {error}"
        if done.returncode != 0:
            why = " ".join((done.stderr or done.stdout).split())[:300] or f"exit code {done.returncode}"
            return f"bubblewrap cannot run a sandbox here: {why}"
    return None


def require() -> None:
    """Raise :class:`Unavailable` (with the fix) when bubblewrap cannot run a sandbox here."""
    why = probe()
    if why is not None:
        raise Unavailable(f"make grade refuses to run students' code without its sandbox: {why}.\n{FIX}")


def run_python(
    box: Sandbox, code: str, resources: Resources, read_only: list[Path] = (), timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run ``code`` with this Python in ``box``'s sandbox, as a kernel would be (its limits, its user)."""
    uid = USER_IDS.take() if _as_root() else None
    group = memory_group(resources.memory_bytes)
    try:
        if uid is not None:
            _hand_over(box, uid)
        command = bwrap_arguments(box.root, list(read_only), box.layers(), str(box.notebooks), uid)
        command += limited(resources.rlimits(1, timeout, True), ["-c", code])
        if group is not None:
            command = group.argv(command)
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, env={})
    finally:
        if group is not None:
            group.remove()
        if uid is not None:
            USER_IDS.give_back(uid)
