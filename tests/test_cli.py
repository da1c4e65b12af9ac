"""The command line as a user runs it: a real `python -m xentlint` process in a temporary project."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Sequence

import pytest

MISUSE = "import torch\nimport torch.nn.functional as F\n\nlp = torch.log(F.softmax(z, dim=1))\n"
FIXED = "import torch\nimport torch.nn.functional as F\n\nlp = F.log_softmax(z, dim=1)\n"


def xentlint(*args: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xentlint", *args], cwd=cwd, input=stdin,
                          capture_output=True, timeout=120)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "misuse.py").write_text(MISUSE)
    (tmp_path / "broken.py").write_text("def f(:\n    pass\n")
    (tmp_path / "latin.py").write_bytes(b"x = '\xe9t\xe9'\n")  # not UTF-8 and no coding cookie
    (tmp_path / "clean.py").write_text("import torch\n\nprint(torch.ones(2))\n")
    return tmp_path


def test_check_reports_each_bad_file_and_goes_on(project: Path) -> None:
    result = xentlint("check", "--no-cache", ".", cwd=project)
    out = result.stdout.decode()
    assert result.returncode == 1
    assert "misuse.py:4:6: XL301" in out
    assert "broken.py:1:7: XL001" in out
    assert "latin.py:1:1: XL002" in out
    assert "clean.py" not in out
    assert "Found 3 errors." in out


def test_clean_project_exits_zero(project: Path) -> None:
    result = xentlint("check", "clean.py", cwd=project)
    assert result.returncode == 0
    assert "All checks passed!" in result.stdout.decode()


def test_exit_zero_and_missing_path(project: Path) -> None:
    assert xentlint("check", "--exit-zero", "misuse.py", cwd=project).returncode == 0
    missing = xentlint("check", "nowhere.py", cwd=project)
    assert missing.returncode == 1
    assert b"nowhere.py:1:1: XL002 no such file or directory" in missing.stdout
    assert b"Traceback" not in missing.stderr


def test_json_output_is_ruff_shaped(project: Path) -> None:
    result = xentlint("check", "--output-format", "json", "misuse.py", cwd=project)
    [finding] = json.loads(result.stdout)
    assert finding["code"] == "XL301" and finding["name"] == "log-of-softmax"
    assert finding["filename"] == "misuse.py"
    assert finding["location"] == {"row": 4, "column": 6}
    assert finding["end_location"] == {"row": 4, "column": 36}
    assert finding["fix"]["applicability"] == "safe"
    assert finding["fix"]["edits"] == [{"content": "F.log_softmax(z, dim=1)", "location": {"row": 4, "column": 6},
                                        "end_location": {"row": 4, "column": 36}}]
    assert finding["url"].endswith("/rules/XL301.md")


def test_fix_writes_atomically_keeps_mode_and_is_idempotent(project: Path) -> None:
    target = project / "misuse.py"
    target.chmod(0o640)
    result = xentlint("fix", "misuse.py", cwd=project)
    assert result.returncode == 0, result.stdout
    assert target.read_text() == FIXED
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert not [p for p in project.iterdir() if "xentlint-tmp" in p.name]
    again = xentlint("fix", "misuse.py", cwd=project)
    assert again.returncode == 0 and target.read_text() == FIXED


def test_fix_keeps_encoding_bom_and_newlines(tmp_path: Path) -> None:
    source = MISUSE.replace("\n", "\r\n")
    latin = b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + MISUSE.encode()
    (tmp_path / "crlf.py").write_bytes(b"\xef\xbb\xbf" + source.encode())
    (tmp_path / "latin.py").write_bytes(latin)
    assert xentlint("fix", ".", cwd=tmp_path).returncode == 0
    assert (tmp_path / "crlf.py").read_bytes() == b"\xef\xbb\xbf" + FIXED.replace("\n", "\r\n").encode()
    assert (tmp_path / "latin.py").read_bytes() == b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + FIXED.encode()


def test_diff_applies_cleanly_with_patch(project: Path) -> None:
    if shutil.which("patch") is None:
        pytest.skip("patch is not installed")
    before = (project / "misuse.py").read_text()
    result = xentlint("fix", "--diff", "misuse.py", cwd=project)
    assert result.returncode == 1
    assert (project / "misuse.py").read_text() == before  # --diff writes nothing
    subprocess.run(["patch", "-p1"], cwd=project, input=result.stdout, check=True, capture_output=True)
    assert (project / "misuse.py").read_text() == FIXED


def test_stdin(project: Path) -> None:
    checked = xentlint("check", "-", "--stdin-filename", "model.py", cwd=project, stdin=MISUSE.encode())
    assert checked.returncode == 1 and b"model.py:4:6: XL301" in checked.stdout
    fixed = xentlint("fix", "-", cwd=project, stdin=MISUSE.encode())
    assert fixed.stdout.decode() == FIXED


@pytest.mark.parametrize("config, message", [
    ('[tool.xentlint]\nselct = ["XL3"]\n', "unknown key 'selct'"),
    ('[tool.xentlint]\nselect = ["XL999"]\n', "XL999"),
    ('[tool.xentlint]\nunsafe-fixes = "yes"\n', "unsafe-fixes"),
    ("[tool.xentlint\n", "pyproject.toml"),
])
def test_config_errors_exit_2_with_a_message(project: Path, config: str, message: str) -> None:
    (project / "pyproject.toml").write_text(config)
    result = xentlint("check", ".", cwd=project)
    assert result.returncode == 2
    assert message in result.stderr.decode()
    assert b"Traceback" not in result.stderr


def test_select_ignore_and_noqa(project: Path) -> None:
    assert xentlint("check", "--ignore", "XL3", "misuse.py", cwd=project).returncode == 0
    assert xentlint("check", "--select", "XL900", "misuse.py", cwd=project).returncode == 0
    (project / "misuse.py").write_text(MISUSE.replace("dim=1))", "dim=1))  # noqa: XL301"))
    assert xentlint("check", "misuse.py", cwd=project).returncode == 0
    unused = xentlint("check", "--extend-select", "XL900", "--no-cache", "clean.py", cwd=project)
    assert unused.returncode == 0
    (project / "clean.py").write_text("x = 1  # noqa: XL101\n")
    unused = xentlint("check", "--extend-select", "XL900", "--no-cache", "clean.py", cwd=project)
    assert b"clean.py:1:8: XL900" in unused.stdout


def test_output_is_identical_whatever_the_jobs(tmp_path: Path) -> None:
    for index in range(40):
        (tmp_path / f"m{index:02}.py").write_text(MISUSE if index % 3 else "import torch\n")
    one = xentlint("check", "--no-cache", "--jobs", "1", ".", cwd=tmp_path)
    two = xentlint("check", "--no-cache", "--jobs", "2", ".", cwd=tmp_path)
    assert one.stdout == two.stdout and one.stdout.count(b"XL301") == 26


def test_cache_is_used_and_invalidated(project: Path) -> None:
    first = xentlint("check", "misuse.py", cwd=project)
    assert (project / ".xentlint_cache" / ".gitignore").exists()
    assert xentlint("check", "misuse.py", cwd=project).stdout == first.stdout
    (project / "misuse.py").write_text("import torch\n")
    assert xentlint("check", "misuse.py", cwd=project).returncode == 0
    for entry in (project / ".xentlint_cache").rglob("*.json"):
        entry.write_text("{ not json")
    (project / "misuse.py").write_text(MISUSE)
    assert xentlint("check", "misuse.py", cwd=project).stdout == first.stdout
    assert xentlint("clean", cwd=project).returncode == 0
    assert not (project / ".xentlint_cache").exists()


def test_rule_and_rules_commands(project: Path) -> None:
    page = xentlint("rule", "XL301", cwd=project)
    assert page.returncode == 0 and page.stdout.startswith(b"# log-of-softmax (XL301)")
    listing = xentlint("rules", cwd=project).stdout.decode()
    assert "XL301  log-of-softmax" in listing
    assert xentlint("rule", "XL999", cwd=project).returncode == 2


def test_version() -> None:
    result = subprocess.run([sys.executable, "-m", "xentlint", "--version"], capture_output=True)
    assert result.returncode == 0 and b"xentlint, version" in result.stdout


def test_unreadable_file_is_reported(project: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read any file")
    target = project / "misuse.py"
    target.chmod(0)
    result = xentlint("check", "--no-cache", "misuse.py", cwd=project)
    assert b"XL002" in result.stdout


def _heavy_imports(args: Sequence[str], cwd: Path, heavy: set[str]) -> list[str]:
    probe = (
        "import json, sys, runpy\n"
        "sys.argv = ['xentlint'] + sys.argv[1:]\n"
        "try:\n    runpy.run_module('xentlint', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(heavy)!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, *args], cwd=cwd, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_version_and_clean_check_import_nothing_heavy(project: Path) -> None:
    for args in (["--version"], ["check", "--no-cache", "clean.py"]):
        assert _heavy_imports(args, project, {"numpy", "torch", "tensorflow", "scipy", "jax"}) == []


def test_cache_hits_and_files_that_cannot_matter_do_not_import_libcst(project: Path) -> None:
    (project / "plain.py").write_text("import os\nprint(os.sep)\n")
    assert _heavy_imports(["check", "--no-cache", "plain.py", "broken.py"], project, {"libcst"}) == []
    assert xentlint("check", "misuse.py", cwd=project).returncode == 1  # fills the cache
    assert _heavy_imports(["check", "misuse.py"], project, {"libcst"}) == []
    assert _heavy_imports(["check", "--no-cache", "misuse.py"], project, {"libcst"}) == ["libcst"]


def test_fix_through_a_symlink_fixes_the_target_once_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    real = tmp_path / "src" / "real.py"
    real.write_text(MISUSE)
    (tmp_path / "alias.py").symlink_to("src/real.py")
    result = xentlint("fix", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert (tmp_path / "alias.py").is_symlink() and os.readlink(tmp_path / "alias.py") == "src/real.py"
    assert real.read_text() == FIXED
    assert b"Found 1 error (1 fixed, 0 remaining)." in result.stdout  # the link and its target: one file
    real.write_text(MISUSE)
    assert xentlint("fix", "alias.py", cwd=tmp_path).returncode == 0  # the link alone, named
    assert (tmp_path / "alias.py").is_symlink() and real.read_text() == FIXED
    assert not [p for p in tmp_path.rglob("*") if "xentlint-tmp" in p.name]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_is_reported_and_never_opened(project: Path) -> None:
    os.mkfifo(project / "fifo.py")
    result = xentlint("check", "--no-cache", "fifo.py", "misuse.py", cwd=project)  # would block forever
    out = result.stdout.decode()
    assert "fifo.py:1:1: XL002 not a regular file; skipped" in out
    assert "misuse.py:4:6: XL301" in out
    assert xentlint("fix", "fifo.py", cwd=project).returncode == 1


def test_fix_diff_of_stdin_is_a_unified_diff(project: Path) -> None:
    result = xentlint("fix", "--diff", "-", "--stdin-filename", "model.py", cwd=project, stdin=MISUSE.encode())
    assert result.returncode == 1
    assert result.stdout.decode().startswith("--- a/model.py\n+++ b/model.py\n@@")
    assert "-lp = torch.log(F.softmax(z, dim=1))\n+lp = F.log_softmax(z, dim=1)\n" in result.stdout.decode()


@pytest.mark.parametrize("args, message", [
    (("check", "--statistics", "--output-format", "sarif"), "--statistics works with --output-format text or json"),
    (("check", "--statistics", "--output-format", "github"), "not github"),
    (("fix", "--statistics", "--diff"), "--statistics cannot be combined with --diff"),
])
def test_statistics_with_an_output_it_cannot_shape_is_a_usage_error(project: Path, args: tuple[str, ...],
                                                                     message: str) -> None:
    result = xentlint(*args, "misuse.py", cwd=project)
    assert result.returncode == 2
    assert message in result.stderr.decode() and not result.stdout


def test_statistics_as_json(project: Path) -> None:
    result = xentlint("check", "--statistics", "--output-format", "json", "misuse.py", cwd=project)
    assert json.loads(result.stdout) == [{"code": "XL301", "name": "log-of-softmax", "count": 1, "fixable_count": 1}]


def test_check_and_fix_count_findings_alike(tmp_path: Path) -> None:
    # XL303's fix replaces the whole expression, the XL301 inside it included: one fix, two findings.
    (tmp_path / "loss.py").write_text(
        "import jax\nimport jax.numpy as jnp\n\n\ndef loss_fn(logits, labels):\n"
        "    return -jnp.sum(labels * jnp.log(jax.nn.softmax(logits)), axis=-1)\n")
    checked = xentlint("check", "--no-cache", "loss.py", cwd=tmp_path).stdout.decode()
    assert "Found 2 errors." in checked
    fixed = xentlint("fix", "loss.py", cwd=tmp_path).stdout.decode()
    assert "Found 2 errors (2 fixed, 0 remaining)." in fixed


@pytest.mark.parametrize("source, reason", [
    (b"def f(:\n    pass\n", "-:1:7: XL001 cannot parse"),
    (b"x = '\xe9t\xe9'\n", "-:1:1: XL002 cannot detect encoding"),
    (b"import torch\nx = torch.log(torch.softmax(z, dim=1)) # noqa: XL999\n",
     "-:2:33: XL900 Unused `noqa` directive (unused: XL999)\nFound 2 errors (1 fixed, 1 remaining)."),
])
def test_fix_stdin_says_on_stderr_why_it_is_not_clean(project: Path, source: bytes, reason: str) -> None:
    result = xentlint("fix", "-", "--extend-select", "XL900", cwd=project, stdin=source)
    assert result.returncode == 1
    assert reason in result.stderr.decode()
    if b"torch" not in source:
        assert result.stdout == source  # stdout stays the source
    assert b"Traceback" not in result.stderr
