"""Operating-system limits for the console's worker processes (Linux).

A console worker calls :func:`confine` once, after importing what it needs and before it opens
the store (Landlock and seccomp bind the calling thread and the threads it starts later, so the
engine's own threads must not exist yet).  From then on the kernel, not the query text, decides:

* **no file can be written**: ``RLIMIT_FSIZE`` is 0 (``SIGXFSZ`` is ignored, so a write fails
  with ``EFBIG`` instead of killing the worker) and Landlock grants no write, create, remove,
  rename or truncate right anywhere;
* **nothing outside the allowed folders can be opened for reading**: Landlock grants read rights
  beneath the given folders only (for LadybugDB: the store folder);
* **no network, no local sockets**: seccomp refuses ``socket()`` for every address family,
  ``AF_UNIX`` included (Landlock does not cover connecting to a socket file; its scoping, ABI 6,
  also refuses abstract Unix sockets and signals to processes outside the sandbox).  Neo4j
  workers get ``AF_INET``/``AF_INET6`` only, and Landlock then allows TCP connections to the
  Neo4j port only; ``execve``, ``ptrace`` and other process-escaping calls are refused too;
* **no core files** (``RLIMIT_CORE`` = 0) and a bounded number of open files.

Memory (``RLIMIT_AS``) and CPU time (``RLIMIT_CPU``) are capped per query by :class:`QueryLimits`.

Where the kernel lacks Landlock (before Linux 5.13, or the LSM is not enabled) or libseccomp is
missing, :func:`confine` applies what it can and says what it could not in its report; the
worker refuses to start unless ``KB_CONSOLE_SANDBOX=optional`` accepts the weaker confinement
(see docs/reliability.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import resource
import signal
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ConfinementReport", "QueryLimits", "confine", "landlock_abi"]

_SYS_LANDLOCK_CREATE_RULESET = 444
_SYS_LANDLOCK_ADD_RULE = 445
_SYS_LANDLOCK_RESTRICT_SELF = 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1
_LANDLOCK_RULE_NET_PORT = 2
_PR_SET_NO_NEW_PRIVS = 38

# Filesystem rights by the Landlock ABI that introduced them.
_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FS_ABI1 = (1 << 13) - 1  # execute ... make_sym
_FS_REFER, _FS_TRUNCATE, _FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _NetPortAttr(ctypes.Structure):
    _fields_ = [("allowed_access", ctypes.c_uint64), ("port", ctypes.c_uint64)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when the kernel lacks Landlock (or it is disabled).

    >>> landlock_abi() >= 0
    True
    """
    if not hasattr(os, "uname") or os.uname().sysname != "Linux" or os.uname().machine not in ("x86_64", "aarch64"):
        return 0
    # The syscall numbers above are the same on x86_64 and aarch64 (the unified table since 5.x).
    version = _libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                            ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION))
    return max(int(version), 0)


@dataclass
class ConfinementReport:
    """What :func:`confine` could enforce, for the site's status and the tests."""

    landlock_abi: int = 0
    filesystem: bool = False  # Landlock: reads beneath the allowed folders only, no writes anywhere
    network: str = "open"  # "none", "tcp to port N", "open"
    seccomp: bool = False
    rlimits: bool = False
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    def to_dict(self) -> dict:
        return {"landlock_abi": self.landlock_abi, "filesystem": self.filesystem, "network": self.network,
                "seccomp": self.seccomp, "rlimits": self.rlimits, "missing": self.missing}


def confine(read_beneath: Iterable[Path], tcp_ports: Iterable[int] = (),
            max_open_files: int = 256) -> ConfinementReport:
    """Confine this process for good: see the module docstring.  Call it before starting threads.

    ``read_beneath`` are the folders (or files) the process may read; ``tcp_ports`` the TCP ports
    it may connect to (none: no network at all).
    """
    report = ConfinementReport()
    ports = sorted(set(tcp_ports))
    _set_rlimits(max_open_files)
    report.rlimits = True
    if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        report.missing.append("no_new_privs")
    seccomp = _load_libseccomp()  # before Landlock: loading a library reads files
    abi = landlock_abi()
    report.landlock_abi = abi
    if abi:
        net_ok = _landlock(abi, [Path(p) for p in read_beneath], ports)
        report.filesystem = True
        if ports and not net_ok:
            report.missing.append("landlock network rules (Landlock ABI 4, Linux 6.7)")
    else:
        report.missing.append("landlock (Linux 5.13 or later with the Landlock LSM enabled)")
    report.seccomp = seccomp is not None and _seccomp(seccomp, allow_inet=bool(ports))
    if not report.seccomp:
        report.missing.append("seccomp (libseccomp)")
    if report.seccomp:
        report.network = f"tcp to port {', '.join(map(str, ports))}" if ports else "none"
    return report


def _set_rlimits(max_open_files: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), the worker lives
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = max_open_files if hard == resource.RLIM_INFINITY else min(max_open_files, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))


def _check(result: int, doing: str) -> int:
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{doing}: {os.strerror(code)}")
    return result


def _landlock(abi: int, read_beneath: list[Path], ports: list[int]) -> bool:
    """Apply the Landlock ruleset; returns whether TCP could be restricted (ABI 4 and later)."""
    handled_fs = _FS_ABI1 | (_FS_REFER if abi >= 2 else 0) | (_FS_TRUNCATE if abi >= 3 else 0) | (
        _FS_IOCTL_DEV if abi >= 5 else 0)
    handled_net = (_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0
    scoped = (_SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL) if abi >= 6 else 0
    attr = _RulesetAttr(handled_fs, handled_net, scoped)
    size = 8 if abi < 4 else 16 if abi < 6 else 24  # the struct grew with the ABI
    ruleset = _check(_libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                                   ctypes.c_uint32(0)), "landlock_create_ruleset")
    try:
        for path in read_beneath:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except FileNotFoundError:
                continue
            try:
                rights = _FS_READ_FILE | (_FS_READ_DIR if path.is_dir() else 0)
                rule = _PathBeneathAttr(rights, fd)
                _check(_libc.syscall(_SYS_LANDLOCK_ADD_RULE, ruleset, _LANDLOCK_RULE_PATH_BENEATH,
                                     ctypes.byref(rule), ctypes.c_uint32(0)), f"landlock rule for {path.name}")
            finally:
                os.close(fd)
        if handled_net:
            for port in ports:
                rule = _NetPortAttr(_NET_CONNECT_TCP, port)
                _check(_libc.syscall(_SYS_LANDLOCK_ADD_RULE, ruleset, _LANDLOCK_RULE_NET_PORT, ctypes.byref(rule),
                                     ctypes.c_uint32(0)), f"landlock rule for port {port}")
        _check(_libc.syscall(_SYS_LANDLOCK_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return bool(handled_net)


# --- seccomp, through libseccomp ----------------------------------------------------------------

_SCMP_ACT_ALLOW = 0x7FFF0000
_SCMP_FLTATR_CTL_TSYNC = 4
_SCMP_CMP_LT, _SCMP_CMP_EQ, _SCMP_CMP_GT = 2, 4, 6
#: Calls a query engine never needs, refused outright (EPERM): running programs, other processes'
#: memory, new namespaces or mounts, kernel-side programs.
_REFUSED_CALLS = ("execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev", "bpf", "perf_event_open",
                  "io_uring_setup", "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "kexec_load",
                  "init_module", "finit_module", "keyctl", "add_key", "request_key", "userfaultfd")


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


def _load_libseccomp() -> ctypes.CDLL | None:
    for name in ("libseccomp.so.2", ctypes.util.find_library("seccomp")):
        try:
            return ctypes.CDLL(name, use_errno=True) if name else None
        except OSError:
            continue
    return None


def _seccomp(lib: ctypes.CDLL, allow_inet: bool) -> bool:
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(_ArgCmp)]
    lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    context = lib.seccomp_init(_SCMP_ACT_ALLOW)
    if not context:
        return False

    def refuse(call: str, code: int, *conditions: tuple[int, int, int]) -> None:
        number = lib.seccomp_syscall_resolve_name(call.encode())
        if number < 0:  # not on this architecture
            return
        array = (_ArgCmp * max(len(conditions), 1))(*[_ArgCmp(arg, op, value, 0) for arg, op, value in conditions])
        _check(lib.seccomp_rule_add_array(ctypes.c_void_p(context), 0x00050000 | code, number, len(conditions),
                                          array), f"seccomp rule for {call}")

    try:
        _check(lib.seccomp_attr_set(ctypes.c_void_p(context), _SCMP_FLTATR_CTL_TSYNC, 1), "seccomp tsync")
        for call in _REFUSED_CALLS:
            refuse(call, errno.EPERM)
        if allow_inet:
            # Every family but inet (2) and inet6 (10), unix (1) included: one rule per range.
            refuse("socket", errno.EACCES, (0, _SCMP_CMP_LT, socket.AF_INET))
            for family in range(socket.AF_INET + 1, socket.AF_INET6):
                refuse("socket", errno.EACCES, (0, _SCMP_CMP_EQ, family))
            refuse("socket", errno.EACCES, (0, _SCMP_CMP_GT, socket.AF_INET6))
        else:
            # No socket at all, Unix sockets included: Landlock does not govern connecting to a socket
            # file, so a worker that could make one could reach any local service listening on one.
            refuse("socket", errno.EACCES)
        _check(lib.seccomp_load(ctypes.c_void_p(context)), "seccomp_load")
    finally:
        lib.seccomp_release(ctypes.c_void_p(context))
    return True


# --- per-query limits ---------------------------------------------------------------------------

class QueryLimits:
    """Memory and CPU-time caps around one query, set as soft limits and lifted afterwards.

    The address-space cap is the worker's current size plus ``memory_bytes``: the engine reserves
    its database's address space when it opens it, and only what a query adds is limited.  The
    size is read from ``/proc/self/statm`` through a descriptor opened before :func:`confine`.
    """

    def __init__(self, memory_bytes: int, cpu_seconds: int):
        self.memory_bytes = memory_bytes
        self.cpu_seconds = cpu_seconds
        self._statm = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)

    def _address_space(self) -> int:
        return int(os.pread(self._statm, 256, 0).split()[0]) * resource.getpagesize()

    def __enter__(self) -> QueryLimits:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = int(usage.ru_utime + usage.ru_stime) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (used + self.cpu_seconds, resource.RLIM_INFINITY))
        resource.setrlimit(resource.RLIMIT_AS, (self._address_space() + self.memory_bytes, resource.RLIM_INFINITY))
        return self

    def __exit__(self, *_exc: object) -> None:
        resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
