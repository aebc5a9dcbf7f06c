"""``io.targets``: an output is refused before any work when it cannot be written or would overwrite a read."""

from __future__ import annotations

import os

import pytest

from branchkit.errors import OutputError
from branchkit.io.targets import check_outputs, check_writable, side_file


@pytest.fixture
def folder(tmp_path):
    """A ledger folder with a snapshot two levels down and its own rules.toml."""
    root = tmp_path / "ledgers"
    (root / "history" / "old").mkdir(parents=True)
    (root / "客户清单.xlsx").write_bytes(b"customers")
    (root / "rules.toml").write_text("[allocation]\n", encoding="utf-8")
    (root / "history" / "客户清单_2026-09.xlsx").write_bytes(b"snapshot")
    (root / "history" / "old" / "客户清单_2025-12.xlsx").write_bytes(b"older")
    return root


def _refused(target, reads, match: str) -> None:
    with pytest.raises(OutputError, match=match):
        check_outputs([target], reads)


@pytest.mark.parametrize("inside", ["客户清单.xlsx", "rules.toml", "history/客户清单_2026-09.xlsx",
                                    "history/old/客户清单_2025-12.xlsx"])
def test_every_file_under_a_folder_read_is_refused_at_any_depth(folder, inside):
    _refused(folder / inside, [folder], "in the folder .*which this command reads")
    assert (folder / inside).stat().st_size > 0          # nothing was touched


def test_a_new_file_in_a_folder_read_is_fine(folder):
    check_outputs([folder / "分配.xlsx", folder / "history" / "客户清单_2026-12.xlsx"], [folder])
    assert sorted(p.name for p in folder.iterdir()) == ["history", "rules.toml", "客户清单.xlsx"]   # probe removed


def test_a_file_named_as_input_is_refused_even_before_it_exists(tmp_path):
    history = tmp_path / "h.csv"            # --history h.csv -o h.csv: the history is read after the output
    _refused(history, [history], "one of this command's inputs")
    _refused(tmp_path / "sub" / ".." / "h.csv", [history], "one of this command's inputs")


def test_a_symlink_to_an_input_and_through_a_linked_folder_is_refused(folder, tmp_path):
    link = tmp_path / "link.xlsx"
    link.symlink_to(folder / "客户清单.xlsx")
    _refused(link, [folder], "客户清单.xlsx")
    linked = tmp_path / "linked"
    linked.symlink_to(folder, target_is_directory=True)
    _refused(linked / "history" / "客户清单_2026-09.xlsx", [folder], "which this command reads")
    _refused(folder / "客户清单.xlsx", [linked], "which this command reads")


def test_a_hard_link_to_an_input_is_refused_and_named(folder, tmp_path):
    hard = tmp_path / "copy.xlsx"
    os.link(folder / "history" / "客户清单_2026-09.xlsx", hard)
    _refused(hard, [folder], r"same file as .*客户清单_2026-09\.xlsx, in the folder")
    named = tmp_path / "named.csv"
    named.write_text("x", encoding="utf-8")
    other = tmp_path / "other.csv"
    os.link(named, other)
    _refused(other, [named], "same file as .*named.csv, one of this command's inputs")


def test_a_symlinked_file_inside_the_folder_protects_its_target(folder, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("kept", encoding="utf-8")
    (folder / "上月分配.csv").symlink_to(outside)
    _refused(outside, [folder], "same file as")


def test_a_linked_folder_loop_ends(folder, tmp_path):
    (folder / "history" / "loop").symlink_to(folder, target_is_directory=True)
    check_outputs([tmp_path / "out.xlsx"], [folder])
    existing = tmp_path / "existing.xlsx"
    existing.write_bytes(b"x")
    check_outputs([existing], [folder])      # walked every file once, not found, not stuck


def test_the_rejected_rows_file_of_an_output_is_checked_too(tmp_path):
    ledger = tmp_path / "out.xlsx.rejected.csv"
    ledger.write_text("客户号\n1\n", encoding="utf-8")
    _refused(tmp_path / "out.xlsx", [ledger], "rejected-rows file .*out.xlsx.rejected.csv is one of this command's")
    check_outputs([tmp_path / "out.xlsx"], [ledger], side_files=False)
    assert side_file(tmp_path / "a.b.xlsx") == tmp_path / "a.b.xlsx.rejected.csv"
    check_outputs([tmp_path / "out.csv"], [ledger])      # out.csv's rejected rows are out.csv.rejected.csv


def test_a_rejected_rows_file_that_is_a_folder_is_refused(tmp_path):
    (tmp_path / "out.xlsx.rejected.csv").mkdir()
    with pytest.raises(OutputError, match="rejected-rows file .* is not a regular file"):
        check_outputs([tmp_path / "out.xlsx"], [])


def test_stdout_and_no_output_pass(tmp_path):
    check_outputs(["-", None], [tmp_path])


@pytest.mark.parametrize("case, match", [
    ("folder", "it is a folder"),
    ("missing", "the folder .* does not exist"),
    ("under_a_file", "is not a folder"),
    ("fifo", "not a regular file"),
    ("long", "name is too long"),
])
def test_a_target_that_cannot_be_written_is_refused_with_the_reason(tmp_path, case, match):
    targets = {"folder": tmp_path / "out.xlsx", "missing": tmp_path / "nope" / "out.xlsx",
               "under_a_file": tmp_path / "file.txt" / "out.xlsx", "fifo": tmp_path / "pipe.csv",
               "long": tmp_path / ("长" * 80 + ".csv")}       # 244 bytes: the name fits, its temporary file not
    (tmp_path / "out.xlsx").mkdir()
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(OutputError, match=match):
        check_writable(targets[case])


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_folder_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="cannot write .*: Permission denied"):
            check_writable(locked / "out.csv")
    finally:
        locked.chmod(0o700)
