"""A small sample network, generated once per test session under a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from branchkit.sample import SampleConfig, build_sample, write_sample

SMALL = SampleConfig(branches=4, customers=600, seed=7, month="2026-10")


@pytest.fixture(scope="session")
def small_sample():
    """The built (not written) small sample."""
    return build_sample(SMALL)


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory, small_sample) -> Path:
    """The small sample written as xlsx."""
    folder = tmp_path_factory.mktemp("sample")
    write_sample(small_sample, folder, "xlsx")
    return folder
