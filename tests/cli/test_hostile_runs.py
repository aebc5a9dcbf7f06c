"""Hostile and foreign files, run many times as real processes: every run ends with exit 0, 1 or 2.

Twice in about 1,300 runs of ``validate`` over small foreign CSVs, two at a time, the process
died with SIGABRT at exit (Arrow's thread pool torn down by C++ static destructors; see
``branchkit.shutdown``). A runner process imports branchkit once and forks each run, two at a
time; each child runs the console entry point and ends as the command line does, and its exit
status (negative when a signal killed it) is recorded with its case.
"""

from __future__ import annotations

import bz2
import gzip
import json
import subprocess
import sys
import textwrap
import zipfile

import pytest

from branchkit.shutdown import exit_code

HEAD = "客户号,客户名称,客户类型,存款余额\n"

RUNNER = textwrap.dedent("""
    import json, os, sys
    from branchkit.cli.app import main

    cases, rounds = json.loads(sys.argv[1]), int(sys.argv[2])
    seen = {name: [] for name in cases}

    def run(args):
        pid = os.fork()
        if pid == 0:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            sys.argv = ["branchkit", *args]
            main()
            sys.exit(0)                       # main ends the process; an ordinary exit if it returns
        return pid

    names = list(cases)
    for _ in range(rounds):
        for i in range(0, len(names), 2):
            pids = {name: run(cases[name]) for name in names[i:i + 2]}
            for name, pid in pids.items():
                seen[name].append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
    print(json.dumps(seen))
""")


def _sheet(cells: str) -> str:
    return ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{cells}</sheetData></worksheet>")


def _cases(tmp_path, package) -> dict[str, tuple[list[str], int]]:
    """Case name -> (arguments, the exit code it must end with)."""
    f = tmp_path
    (f / "headerless.csv").write_text("1,张三,10\n2,李四,20\n3,王五,30\n", encoding="utf-8")
    (f / "semicolon.csv").write_bytes("name;age\nJosé;3\nRenée;4\n".encode("cp1252"))
    (f / "unicode.txt").write_bytes(b"\xff\xfe" + (HEAD.replace(",", "\t") + "1\t张三\t个人\t10\n").encode("utf-16-le"))
    (f / "cr.csv").write_bytes((HEAD + '1,"张\r三",个人,10\n2,"李"四,个人,20,x\n').replace("\n", "\r").encode())
    (f / "README.txt").write_text("# Notes\n\nA README, with commas, and \"quotes.\n", encoding="utf-8")
    (f / "gz.csv").write_bytes(gzip.compress((HEAD + "1,张三,个人,10\n").encode()))
    (f / "bz.csv").write_bytes(bz2.compress((HEAD + "1,张三,个人,10\n").encode()))
    (f / "wide.csv").write_bytes(b"," * 200_000 + b"\n")
    (f / "nul.csv").write_bytes((HEAD + "1,张\x00三,个人,10\n").encode())
    head = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>' for c, h in zip("ABCD", HEAD.split(",")))
    row = '<c r="A2" t="inlineStr"><is><t>1</t></is></c><c r="D2"><v>10</v></c>'
    package(f / "far.xlsx", {"xl/worksheets/sheet1.xml": _sheet(f'<row r="1">{head}</row><row r="2">{row}</row>'
                                    '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')})
    package(f / "diagonal.xlsx", {"xl/worksheets/sheet1.xml": _sheet(f'<row r="1">{head}</row>' + "".join(
        f'<row r="{j + 2}"><c r="{_letters(j)}{j + 2}"><v>1</v></c></row>' for j in range(0, 16384, 7)))})
    (f / "spans.xls").write_text("<table><tr><th>客户号</th></tr><tr>" + '<td rowspan="1000" colspan="1000">x</td>' * 3
                                 + "</tr></table>", encoding="utf-8")
    (f / "xml.xls").write_text('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
                               'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="s"><Table>'
                               '<Row ss:Index="999999999"><Cell><Data ss:Type="String">1</Data></Cell></Row>'
                               "</Table></Worksheet></Workbook>", encoding="utf-8")
    with zipfile.ZipFile(f / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\x00" * (8 * 1024 * 1024))
    (f / "nested.toml").write_text("x = " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    customers = ["--kind", "customers", "--quiet"]
    return {
        "headerless": (["validate", str(f / "headerless.csv"), *customers], 2),
        "semicolon": (["validate", str(f / "semicolon.csv"), *customers], 2),
        "unicode text": (["validate", str(f / "unicode.txt"), *customers], 0),
        "cr only": (["validate", str(f / "cr.csv"), *customers], 1),
        "readme": (["validate", str(f / "README.txt")], 2),
        "gzip": (["validate", str(f / "gz.csv")], 2),
        "bzip2": (["validate", str(f / "bz.csv")], 2),
        "wide line": (["validate", str(f / "wide.csv"), *customers], 2),
        "nul bytes": (["validate", str(f / "nul.csv"), *customers], 0),
        "far cell": (["validate", str(f / "far.xlsx"), "--quiet"], 1),
        "diagonal": (["validate", str(f / "diagonal.xlsx"), "--quiet"], 2),
        "html spans": (["validate", str(f / "spans.xls"), *customers], 2),
        "spreadsheetml index": (["validate", str(f / "xml.xls"), *customers], 2),
        "zip bomb": (["validate", str(f / "bomb.xlsx")], 2),
        "nested rules": (["validate", str(f / "headerless.csv"), "--rules", str(f / "nested.toml")], 2),
        "no such file": (["validate", str(f / "missing.csv")], 2),
    }


def _letters(j: int) -> str:
    from branchkit.text import column_letters

    return column_letters(j)


@pytest.mark.slow
def test_hostile_and_foreign_files_never_end_with_a_signal(tmp_path, package):
    cases = _cases(tmp_path, package)
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER, encoding="utf-8")
    args = json.dumps({name: arguments for name, (arguments, _) in cases.items()})
    out = subprocess.run([sys.executable, str(runner), args, "6"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout)
    assert {name: sorted(set(codes)) for name, codes in seen.items()} == {
        name: [expected] for name, (_, expected) in cases.items()}
    assert sum(len(codes) for codes in seen.values()) == 6 * len(cases)


def test_the_command_line_runs_python_exit_work_then_ends_with_its_code(tmp_path):
    # atexit handlers registered before the command still run, output is flushed, the code is kept
    script = ("import atexit, sys\n"
              "atexit.register(lambda: print('cleaned up', flush=True))\n"
              "from branchkit.cli.app import main\n"
              f"sys.argv = ['branchkit', 'validate', {str(tmp_path / 'missing.csv')!r}]\n"
              "print('before', end='')\n"
              "main()\n"
              "print('never')\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stdout == "beforecleaned up\n"
    assert "missing.csv: no such file" in out.stderr


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (2, 2), (130, 130), (256 + 1, 1), ("bye", 1)])
def test_exit_codes(code, status, capsys):
    assert exit_code(code) == status
    assert capsys.readouterr().err == ("bye\n" if code == "bye" else "")
