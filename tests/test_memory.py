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
