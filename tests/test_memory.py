"""The command line keeps freed memory for reuse (branchkit.memory); a library import does not."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest


def _pool(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_tune_moves_arrow_to_jemalloc_where_it_is_built_in():
    import pyarrow as pa

    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        expected = _pool("import pyarrow as pa; print(pa.default_memory_pool().backend_name)")
    else:
        expected = "jemalloc"
    tuned = _pool("from branchkit import memory; memory.tune(); import pyarrow as pa; "
                  "print(pa.default_memory_pool().backend_name)")
    assert tuned == expected


def test_importing_branchkit_leaves_the_allocator_alone():
    plain = _pool("import pyarrow as pa; print(pa.default_memory_pool().backend_name)")
    imported = _pool("import branchkit.cli, pyarrow as pa; print(pa.default_memory_pool().backend_name)")
    assert imported == plain


def _mallopt_calls(monkeypatch) -> list[tuple[int, int]]:
    from branchkit import memory

    calls: list[tuple[int, int]] = []

    class _Mallopt:
        argtypes = restype = None

        def __call__(self, option: int, value: int) -> int:
            calls.append((option, value))
            return 1

    monkeypatch.setattr(memory, "libc_call", lambda name: _Mallopt() if name == "mallopt" else None)
    return calls


def test_tune_keeps_freed_heap(monkeypatch):
    from branchkit import memory

    calls = _mallopt_calls(monkeypatch)
    memory._tune_glibc()
    assert dict(calls) == {-3: memory.MMAP_THRESHOLD, -1: memory.TRIM_THRESHOLD, -2: memory.TOP_PAD}


def test_one_arena_gives_glibc_one_arena(monkeypatch):
    from branchkit import memory

    monkeypatch.delenv("JE_ARROW_MALLOC_CONF", raising=False)
    calls = _mallopt_calls(monkeypatch)
    memory.one_arena()
    # M_ARENA_MAX (-8) = 1: the read's threads allocate in the heap malloc_trim gives back after the read
    assert calls == [(-8, 1)]
    # Arrow's jemalloc reads it when pyarrow loads it: its threads share one arena too
    assert os.environ["JE_ARROW_MALLOC_CONF"] == "narenas:1"


def test_one_arena_leaves_arrows_arenas_as_the_user_set_them(monkeypatch):
    from branchkit import memory

    monkeypatch.setenv("JE_ARROW_MALLOC_CONF", "narenas:3")
    _mallopt_calls(monkeypatch)
    memory.one_arena()
    assert os.environ["JE_ARROW_MALLOC_CONF"] == "narenas:3"


_ARROW_ARENAS = """
import os, sys
sys.argv[0] = {program!r}
import branchkit.cli
print(os.environ.get("JE_ARROW_MALLOC_CONF"))
"""


@pytest.mark.parametrize("program, conf", [("branchkit", "narenas:1"), ("a-program", "None")])
def test_only_the_command_gives_arrows_jemalloc_one_arena(monkeypatch, program, conf):
    monkeypatch.delenv("JE_ARROW_MALLOC_CONF", raising=False)
    assert _pool(_ARROW_ARENAS.format(program=program)) == conf


_HEAPS = """
import ctypes, os, sys, tempfile, threading
sys.argv[0] = {program!r}
import branchkit.cli
threading.Thread(target=lambda: [bytearray(200_000) for _ in range(50)]).start()
libc = ctypes.CDLL("libc.so.6")
libc.fopen.restype = ctypes.c_void_p
path = os.path.join(tempfile.mkdtemp(), "heaps.xml")
stream = ctypes.c_void_p(libc.fopen(path.encode(), b"w"))
libc.malloc_info(0, stream)
libc.fclose(stream)
print(open(path).read().count("<heap nr="))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                    reason="glibc's arenas")
def test_the_command_runs_on_one_glibc_heap_from_its_start():
    """Run as the command, branchkit's imports (pyarrow starts a thread) and its threads share glibc's one
    heap; set after the imports, the limit left pyarrow's thread its own heap, which later threads then
    took turns on."""
    assert _pool(_HEAPS.format(program="branchkit")) == "1"

