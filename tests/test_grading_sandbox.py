"""grading.sandbox: the bubblewrap command line, and what a process inside it can and cannot do.

Each test runs a few lines of Python in a real sandbox (a fraction of a second each): that
the host's files, network and processes are out of its reach, that its limits hold, and
that nothing it starts outlives it. The last tests are the refusal to grade where
bubblewrap cannot run, and ``--no-sandbox``.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from grading import sandbox
from grading.runner import NO_SANDBOX, ROOT, Options, grade

SECRET = "an instructor's file next to the sandboxes 9d2e"


@pytest.fixture(scope="module", autouse=True)
def bubblewrap() -> None:
    why = sandbox.probe()
    if why is not None:
        pytest.fail(f"bubblewrap must run for these tests (and for make grade): {why}. {sandbox.FIX}")


@pytest.fixture
def box(tmp_path: Path) -> sandbox.Sandbox:
    handout = tmp_path / "handout"
    (handout / "utils").mkdir(parents=True)
    (handout / "notebooks").mkdir()
    (handout / "notebooks" / "hw08-q01.ipynb").write_text("{}")
    (handout / "utils" / "__init__.py").write_text("# the handout's own utils\n")
    (tmp_path / "work" / "secret.txt").parent.mkdir()
    (tmp_path / "work" / "secret.txt").write_text(SECRET)
    created = sandbox.create(tmp_path / "work" / "sandboxes" / "00001", handout, None)
    yield created
    sandbox.remove(created)


def inside(box: sandbox.Sandbox, code: str, resources: sandbox.Resources | None = None) -> dict:
    """Run ``code`` in the sandbox; it prints one JSON object as its last line."""
    done = sandbox.run_python(box, code, resources or sandbox.Resources())
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_command_line_mounts_nothing_of_the_instructor_and_unshares_everything(tmp_path: Path) -> None:
    folder, data = tmp_path / "box", tmp_path / "data"
    protected = str(folder / "hw08-student")
    args = sandbox.bwrap_arguments(folder, [data], [("--ro-bind", protected)], str(folder), uid=1_500_000_007)
    pairs = [(args[i], args[i + 1], args[i + 2]) for i in range(len(args) - 2)]
    binds = {dest: kind for kind, _, dest in pairs if kind in ("--bind", "--ro-bind")}
    assert [dest for dest, kind in binds.items() if kind == "--bind"] == [str(folder)]  # the one writable mount
    assert binds[str(data)] == "--ro-bind" and binds["/usr"] == "--ro-bind"
    assert args.index(protected) > args.index(str(folder))  # read-only on top of the writable folder
    for forbidden in ("/", "/root", "/home", "/etc", str(ROOT), str(ROOT / "notebooks"), os.path.expanduser("~")):
        assert forbidden not in binds, forbidden
    for option in ("--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session"):
        assert option in args
    assert "--reuid=1500000007" in args and "--bounding-set=-all" in args  # root: setpriv to an unprivileged user
    unprivileged = sandbox.bwrap_arguments(folder, [], [], str(folder), uid=None)
    assert "--unshare-all" in unprivileged and "--unshare-user" in unprivileged
    assert not any(a.startswith("--reuid") for a in unprivileged)


def test_a_kernel_command_sets_its_limits_before_python_starts(tmp_path: Path) -> None:
    limits = sandbox.Resources(memory_bytes=2**30, processes=10, file_bytes=2**20).rlimits(2, 100, True)
    assert limits["RLIMIT_DATA"] == (2**30, 2**30)
    assert limits["RLIMIT_NPROC"] == (12, 12)  # besides the kernel's two torch threads
    assert limits["RLIMIT_FSIZE"] == (2**20, 2**20)
    assert limits["RLIMIT_CPU"][0] == 260  # the notebook's limit times its threads, and a margin
    assert "RLIMIT_NPROC" not in sandbox.Resources().rlimits(1, 100, False)  # outside: the user's own count
    command = sandbox.limited(limits, ["-c", "import resource; print(resource.getrlimit(resource.RLIMIT_FSIZE))"])
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == f"({2**20}, {2**20})"


def test_the_host_s_files_are_out_of_reach_by_path_proc_and_dir_fd(box: sandbox.Sandbox) -> None:
    secret = box.root.parent.parent / "secret.txt"
    targets = [
        str(secret),
        str(ROOT / "notebooks" / "hw08-q01.ipynb"),
        str(ROOT / "README.md"),
        "/etc/shadow",
        "/etc/passwd",
        f"/proc/{os.getpid()}/root{ROOT}",
    ]
    code = f"""
import ctypes, json, os
seen = {{}}
for path in {targets!r}:
    seen[path] = os.path.exists(path) or os.path.exists("/proc/self/root" + path)
    try:
        root = os.open("/", os.O_RDONLY)
        os.close(os.open(path.lstrip("/"), os.O_RDONLY, dir_fd=root))
        seen[path + " (dir_fd)"] = True
    except OSError:
        seen[path + " (dir_fd)"] = False
    libc = ctypes.CDLL(None)
    seen[path + " (ctypes)"] = libc.open(path.encode(), 0) >= 0
for home in ("/root", "/home", {os.path.expanduser("~")!r}):  # nothing there but the way to Python
    for folder, subfolders, files in os.walk(home):
        subfolders[:] = [d for d in subfolders if os.path.join(folder, d) not in {sandbox.python_mounts()!r}]
        for name in files:
            seen[os.path.join(folder, name)] = True
print(json.dumps(seen))
"""
    seen = inside(box, code)
    assert seen and not any(seen.values()), {path: found for path, found in seen.items() if found}


def test_the_network_is_unreachable_and_a_host_listener_receives_nothing(box: sandbox.Sandbox) -> None:
    received: list[bytes] = []
    tcp = socket.create_server(("127.0.0.1", 0))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    tcp.settimeout(0.2)
    udp.settimeout(0.2)
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            for server in (tcp, udp):
                try:
                    if server is tcp:
                        connection, _ = tcp.accept()
                        received.append(connection.recv(100))
                    else:
                        received.append(udp.recv(100))
                except OSError:
                    pass

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    code = f"""
import json, socket
errors = {{}}
try:
    socket.create_connection(("127.0.0.1", {tcp.getsockname()[1]}), timeout=3).sendall(b"stolen\\n")
except OSError as error:
    errors["tcp"] = error.errno
try:
    socket.create_connection(("1.1.1.1", 443), timeout=3)
except OSError as error:
    errors["internet"] = error.errno
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"stolen", ("127.0.0.1", {udp.getsockname()[1]}))
print(json.dumps(errors))
"""
    try:
        errors = inside(box, code)
        time.sleep(0.5)
    finally:
        stop.set()
        listener.join()
        tcp.close()
        udp.close()
    assert received == []
    assert set(errors) == {"tcp", "internet"}  # connection refused: nobody listens in its own network


def test_it_sees_only_its_own_processes_and_cannot_signal_the_grader(box: sandbox.Sandbox) -> None:
    code = f"""
import json, os, signal
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
results = {{"pids": pids, "me": os.getpid(), "parent": os.getppid()}}
for target in (os.getppid(), {os.getpid()}, -1):
    try:
        os.kill(target, signal.SIGKILL)
        results[str(target)] = "sent"
    except OSError as error:
        results[str(target)] = error.strerror
print(json.dumps(results))
"""
    results = inside(box, code)
    assert results["pids"] == [1, results["me"]] and results["parent"] == 1
    assert results[str(os.getpid())] == "No such process"  # the grader is not in its namespace


def test_the_handout_is_read_only_and_its_folder_writable(box: sandbox.Sandbox) -> None:
    code = """
import json, os
results = {}
for name, action in {
    "edit utils": lambda: open("../utils/__init__.py", "a").write("x"),
    "delete utils": lambda: os.remove("../utils/__init__.py"),
    "replace utils": lambda: os.rename("../utils", "../utils-old"),
    "replace the handout": lambda: os.rename("../../hw08-student", "../../old"),
    "add a module": lambda: open("../my_module.py", "w"),
    "edit the notebook": lambda: open("hw08-q01.ipynb", "a").write("x"),
    "replace the notebooks": lambda: os.rename("../notebooks", "../old"),
    "write /usr": lambda: open("/usr/x", "w"),
    "new file": lambda: open("checkpoint.pt", "w").write("mine"),
}.items():
    try:
        action()
        results[name] = "done"
    except OSError as error:
        results[name] = error.strerror
print(json.dumps(results))
"""
    results = inside(box, code)
    assert results.pop("new file") == "done"
    assert "done" not in results.values(), results
    assert (box.handout / "utils" / "__init__.py").read_text() == "# the handout's own utils\n"


def test_memory_processes_and_file_size_are_limited(box: sandbox.Sandbox) -> None:
    code = """
import json, os, time
results = {}
try:
    block = bytearray(6 * 2**30)
    results["memory"] = "allocated"
except MemoryError:
    results["memory"] = "MemoryError"
children = []
try:
    for _ in range(40):
        pid = os.fork()
        if pid == 0:
            time.sleep(3)
            os._exit(0)
        children.append(pid)
    results["processes"] = "forked 40"
except OSError as error:
    results["processes"] = f"{error.strerror} after {len(children)}"
for pid in children:
    os.waitpid(pid, 0)
try:
    with open("big.bin", "wb") as handle:
        for _ in range(64):
            handle.write(bytes(2**20))
    results["file"] = "written"
except OSError as error:
    results["file"] = f"{error.strerror} at {os.path.getsize('big.bin') >> 20} MB"
print(json.dumps(results))
"""
    resources = sandbox.Resources(memory_bytes=2**30, processes=16, file_bytes=8 * 2**20)
    results = inside(box, code, resources)
    assert results["memory"] == "MemoryError"
    assert results["processes"].startswith("Resource temporarily unavailable after")
    assert int(results["processes"].split()[-1]) < 17
    assert results["file"] == "File too large at 8 MB"


def test_nothing_it_starts_outlives_it(box: sandbox.Sandbox) -> None:
    marker = f"hw08-survivor-{os.getpid()}-{time.monotonic_ns()}"
    code = f"""
import json, os, sys
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(120)", {marker!r}])
    os._exit(0)
print(json.dumps({{"started": True}}))
"""
    assert inside(box, code) == {"started": True}
    time.sleep(0.5)
    survivors = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                survivors.append(pid)
        except OSError:
            pass
    assert survivors == []


def test_make_grade_refuses_where_bubblewrap_cannot_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sandbox, "BWRAP", str(tmp_path / "no-such" / "bwrap"))
    monkeypatch.setattr(sandbox, "_PROBE", {})
    assert sandbox.probe() == "bubblewrap (bwrap) is not installed"
    submissions = tmp_path / "submissions"
    (submissions / "alice").mkdir(parents=True)
    (submissions / "alice" / "hw08-q01.ipynb").write_text("{ not a notebook")
    with pytest.raises(sandbox.Unavailable) as refused:
        grade(submissions, tmp_path / "out", Options(progress=False))
    message = str(refused.value)
    assert "bubblewrap (bwrap) is not installed" in message
    assert "apt-get install bubblewrap" in message and "--no-sandbox" in message
    assert not (tmp_path / "out").exists()  # refused before anything was written


def test_no_sandbox_warns_and_says_so_in_every_student_s_row(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sandbox, "BWRAP", str(tmp_path / "no-such" / "bwrap"))
    monkeypatch.setattr(sandbox, "_PROBE", {})
    submissions = tmp_path / "submissions"
    for name in ("alice", "bob"):
        (submissions / name).mkdir(parents=True)
        (submissions / name / "hw08-q01.ipynb").write_text("{ not a notebook")
    grade(submissions, tmp_path / "out", Options(progress=False, sandboxed=False))
    assert "warning: graded with --no-sandbox" in capsys.readouterr().err
    with open(tmp_path / "out" / "gradebook.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["student"] for row in rows] == ["alice", "bob"]
    assert all(NO_SANDBOX in row["reason"] for row in rows)
    assert NO_SANDBOX in (tmp_path / "out" / "feedback" / "alice.md").read_text(encoding="utf-8")


def test_make_grade_passes_no_sandbox_on() -> None:
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", "grade", "SUBMISSIONS=somewhere", "NO_SANDBOX=1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    command = next(line for line in done.stdout.splitlines() if "-m grading" in line)
    assert command.rstrip().endswith("--no-sandbox")
    plain = subprocess.run(
        ["make", "-n", "--no-print-directory", "grade", "SUBMISSIONS=somewhere"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--no-sandbox" not in plain.stdout


def test_the_audit_hook_names_network_use_and_lets_unix_sockets_be() -> None:
    from grading import guard

    policy = guard.Policy(sandbox="/nowhere")
    with socket.socket() as tcp, socket.socket(socket.AF_UNIX) as unix:
        refused = policy.decide("socket.connect", (tcp, ("127.0.0.1", 8080)))
        assert refused is not None and refused.startswith("use the network (connect") and "8080" in refused
        assert policy.decide("socket.sendto", (tcp, ("10.0.0.1", 53))).startswith("use the network (sendto")
        assert policy.decide("socket.connect", (unix, "/nowhere/kernel-1")) is None


def test_a_memory_group_holds_every_process_and_a_dead_graders_groups_are_swept() -> None:
    import sys

    if not sandbox.memory_groups():
        pytest.skip("no memory cgroup can be made here (not root, or no writable memory hierarchy)")
    group = sandbox.memory_group(2**28)
    code = "import os, time\nif os.fork() == 0:\n    b = bytearray(3 * 2**27); b[::4096] = b'x' * len(b[::4096])\nos.wait()"
    done = subprocess.run(group.argv([sys.executable, "-c", code]), capture_output=True, timeout=60, check=False)
    assert done.returncode == 0 and group.oom_kills() == 1  # the child together with its parent passed 256 MB
    stale = group.path.with_name("hw08-grading-999999999-1")
    stale.mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", sandbox.JOIN, str(stale / "cgroup.procs"), "sleep", "600"])
    for _ in range(100):  # until it has joined the group
        if (stale / "cgroup.procs").read_text().split():
            break
        time.sleep(0.05)
    group.remove()
    assert not group.path.exists()
    sandbox._sweep()
    assert sleeper.wait(timeout=10) == -9 and not stale.exists()
