"""The command line keeps freed memory for reuse (branchkit.memory); a library import does not."""

from __future__ import annotations

import subprocess
import sys


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


def test_tune_gives_glibc_one_arena_and_keeps_freed_heap(monkeypatch):
    from branchkit import memory

    calls: list[tuple[int, int]] = []

    class _Mallopt:
        argtypes = restype = None

        def __call__(self, option: int, value: int) -> int:
            calls.append((option, value))
            return 1

    monkeypatch.setattr(memory, "libc_call", lambda name: _Mallopt() if name == "mallopt" else None)
    memory._tune_glibc()
    # M_ARENA_MAX (-8) = 1: the read-ahead thread's heap is the one malloc_trim gives back after the read
    assert dict(calls) == {-3: memory.MMAP_THRESHOLD, -1: memory.TRIM_THRESHOLD, -2: memory.TOP_PAD, -8: 1}
