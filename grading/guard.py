"""The file-access policy of a grading kernel, enforced with a Python audit hook (PEP 578).

Inside the kernel, student code may

* read anywhere in its own sandbox folder, the data folder, Python's installation and the
  system's library folders (``/usr``, ``/lib``, ``/etc``, ``/sys``, ``/dev``, its own
  ``/proc`` entries) - never the instructor's repository, the submissions or a home folder;
* create, change and delete files only inside its sandbox, and never the handout files
  copied there (``utils``, the notebooks, ...);
* not start programs (``subprocess``, ``os.system``, ``os.exec*``, ``os.posix_spawn``),
  whose file accesses no hook would see.

* not use the network (``socket`` connections, datagrams, binding; unix sockets are fine).

A refused access raises ``PermissionError`` in the student's code and is recorded, so the
feedback can say what was tried. An audit hook cannot be removed once installed. It guards
ordinary Python file and network access (``open``, ``os``, ``shutil``, ``pathlib``, NumPy
and torch loading files, ``socket``); it is not a security boundary against deliberate
native code (``ctypes``). The boundary is the operating system's sandbox the kernel runs in
(:mod:`grading.sandbox`: bubblewrap, which mounts nothing of the instructor's files and
gives the kernel no network); this hook is a second layer that names, in the feedback,
what the student's code tried.

This module uses the standard library only and decides without side effects
(:meth:`Policy.decide`), so the policy is tested outside a kernel.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

#: Events that read a path (first argument).
READ_EVENTS = {"os.listdir", "os.scandir", "ctypes.dlopen"}
#: Events that change a path (first argument; ``os.rename``-like also their second).
WRITE_EVENTS = {
    "os.remove",
    "os.rmdir",
    "os.mkdir",
    "os.chmod",
    "os.chown",
    "os.truncate",
    "os.utime",
    "os.setxattr",
    "os.removexattr",
    "shutil.rmtree",
}
TWO_PATH_EVENTS = {"os.rename", "os.link", "os.symlink", "shutil.copyfile", "shutil.copymode", "shutil.copystat"}
PROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "pty.spawn"}
#: Events that reach the network (``self`` is the socket; unix sockets are allowed).
NETWORK_EVENTS = {"socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind"}
WATCHED = frozenset({"open"} | READ_EVENTS | WRITE_EVENTS | TWO_PATH_EVENTS | PROCESS_EVENTS | NETWORK_EVENTS)
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
SYSTEM_READ_ROOTS = ("/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/etc", "/sys", "/dev")
PROC_FILES = ("/proc/cpuinfo", "/proc/meminfo", "/proc/stat", "/proc/sys", "/proc/filesystems")


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _path(value: object) -> str | None:
    if isinstance(value, bytes):
        value = os.fsdecode(value)
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, bytes):
        value = os.fsdecode(value)
    if not isinstance(value, str) or not value:
        return None
    return os.path.realpath(value)


@dataclass
class Policy:
    """What a grading kernel may touch: ``sandbox`` (read and write), ``read_roots`` (read only), ``protected``."""

    sandbox: str
    read_roots: tuple[str, ...] = ()
    protected: tuple[
        str, ...
    ] = ()  # files inside the sandbox that may be read, never changed (nor their folders removed)
    pid: int = field(default_factory=os.getpid)

    def __post_init__(self) -> None:
        self.sandbox = os.path.realpath(self.sandbox)
        self.read_roots = tuple(os.path.realpath(r) for r in self.read_roots)
        self.protected = tuple(os.path.realpath(p) for p in self.protected)

    def may_read(self, path: str) -> bool:
        if _within(path, self.sandbox) or any(_within(path, root) for root in self.read_roots):
            return True
        if any(_within(path, root) for root in SYSTEM_READ_ROOTS):
            return True
        own = (f"/proc/{self.pid}", "/proc/self", "/proc/thread-self")
        return any(_within(path, root) for root in (*own, *PROC_FILES))

    def may_write(self, path: str) -> bool:
        if path in ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random"):
            return True
        if not _within(path, self.sandbox) or path == self.sandbox:
            return False
        # Neither a protected file nor a folder holding one (rmtree, rename); new files are fine.
        return not any(_within(p, path) for p in self.protected)

    def decide(self, event: str, args: tuple) -> str | None:
        """``None`` to allow, else a short description of the refused access."""
        if event not in WATCHED:
            return None
        if event in NETWORK_EVENTS:
            family = getattr(args[0], "family", None) if args else None
            if family == getattr(socket, "AF_UNIX", None):
                return None
            address = args[1] if len(args) > 1 else "?"
            verb = event.split(".")[1]
            return f"use the network ({verb} {address!r:.60})"
        if event in PROCESS_EVENTS:
            program = args[0] if args else "?"
            if isinstance(program, (bytes, os.PathLike)):
                program = os.fsdecode(program)
            return f"start a program ({str(program)[:80]})"
        if event == "open":
            path = _path(args[0]) if args else None
            if path is None:  # a file descriptor: already open
                return None
            mode = args[1] if len(args) > 1 else None
            flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(flags & WRITE_FLAGS)
            if writing:
                return None if self.may_write(path) else f"write {path}"
            return None if self.may_read(path) else f"read {path}"
        if event in READ_EVENTS:
            path = _path(args[0]) if args else None
            return None if path is None or self.may_read(path) else f"list or load {path}"
        paths = [_path(a) for a in (args[:2] if event in TWO_PATH_EVENTS else args[:1])]
        if event == "os.symlink" or event.startswith("shutil.copy"):
            paths = paths[1:]  # only the destination is written
        for path in paths:
            if path is not None and not self.may_write(path):
                verb = {"os.remove": "delete", "os.rmdir": "delete", "shutil.rmtree": "delete"}.get(event, "change")
                return f"{verb} {path}"
        return None


def install(policy: Policy, on_refusal: Callable[[str], None]) -> None:
    """Enforce ``policy`` in this process from now on: refused accesses raise ``PermissionError``."""
    watched = WATCHED
    decide = policy.decide

    def hook(event: str, args: tuple) -> None:
        if event not in watched:
            return
        refused = decide(event, args)
        if refused is not None:
            on_refusal(refused)
            raise PermissionError(f"grading sandbox: not allowed to {refused}")

    sys.addaudithook(hook)


def python_roots() -> tuple[str, ...]:
    """Python's own folders: prefixes and every ``sys.path`` entry outside the current directory."""
    roots: Iterable[str] = (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)
    extra = [p for p in sys.path if p and os.path.isabs(p) and ("site-packages" in p or "dist-packages" in p)]
    return tuple(dict.fromkeys(os.path.realpath(p) for p in [*roots, *extra]))
