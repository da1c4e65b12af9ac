from __future__ import annotations

import os
from pathlib import Path

import pytest

from xentlint.config import Overrides, SettingsResolver
from xentlint.discovery import Discovery, discover


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")


def run(*paths: str, force_exclude: bool = False) -> Discovery:
    return discover(paths, SettingsResolver(Overrides()), force_exclude)


def found(*paths: str, force_exclude: bool = False) -> list[str]:
    return [path.as_posix() for path in run(*paths, force_exclude=force_exclude).files]


def test_walks_folders_for_python_stubs_and_notebooks(project: Path) -> None:
    touch(project, "b.py", "a.pyi", "nb/train.ipynb", "pkg/sub/c.py", "notes.txt", "pkg/data.json", "setup.cfg")
    assert found(".") == ["a.pyi", "b.py", "nb/train.ipynb", "pkg/sub/c.py"]


@pytest.mark.parametrize(
    "folder",
    [".git", ".hg", ".venv", "venv", "build", "dist", "node_modules", "__pycache__", "site-packages", ".tox",
     ".nox", ".mypy_cache", ".xentlint_cache", ".eggs", "pkg/build", ".ipynb_checkpoints"],
)
def test_skips_tool_and_build_folders(project: Path, folder: str) -> None:
    touch(project, "keep.py", f"{folder}/skipped.py")
    assert found(".") == ["keep.py"]


@pytest.mark.parametrize("marker", ["pyvenv.cfg", "conda-meta/history"])
def test_skips_environments_by_their_marker_whatever_their_name(project: Path, marker: str) -> None:
    touch(project, "keep.py", f"my-env/{marker}", "my-env/lib/site.py")
    assert found(".") == ["keep.py"]


def test_env_folder_without_environment_marker_is_code(project: Path) -> None:
    # Reinforcement-learning projects keep their environments' code in env/.
    touch(project, "env/cartpole.py", "envs/.venv/pyvenv.cfg", "envs/.venv/x.py")
    assert found(".") == ["env/cartpole.py"]


def test_honours_gitignore_files_nested_in_the_tree(project: Path) -> None:
    (project / ".gitignore").write_text("generated/\n*_pb2.py\nsecret_*.py\n")
    (project / "sub").mkdir()
    (project / "sub" / ".gitignore").write_text("local.py\n!secret_ok.py\n")
    touch(project, "a.py", "local.py", "model_pb2.py", "generated/x.py", "secret_key.py",
          "sub/local.py", "sub/b.py", "sub/secret_ok.py", "sub/secret_no.py", "sub/generated/y.py")
    assert found(".") == ["a.py", "local.py", "sub/b.py", "sub/secret_ok.py"]


def test_honours_the_repository_root_gitignore_when_walking_a_subfolder(project: Path) -> None:
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("scratch/\n")
    (project / "pkg").mkdir()
    (project / "pkg" / ".gitignore").write_text("tmp_*.py\n")
    touch(project, "pkg/lib/a.py", "pkg/lib/scratch/b.py", "pkg/lib/tmp_c.py")
    assert found("pkg/lib") == ["pkg/lib/a.py"]


def test_gitignore_above_the_walked_folder_is_ignored_outside_a_repository(project: Path) -> None:
    (project / ".gitignore").write_text("*.py\n")
    touch(project, "pkg/a.py")
    assert found("pkg") == ["pkg/a.py"]


def test_exclude_and_extend_exclude_from_settings(project: Path) -> None:
    config = 'exclude = ["generated"]\nextend-exclude = ["migrations/", "scripts/old.py"]\n'
    (project / "xentlint.toml").write_text(config)
    touch(project, "build/a.py", "generated/b.py", "pkg/generated/c.py", "migrations/d.py", "scripts/old.py",
          "scripts/new.py", "pkg/scripts/old.py")
    assert found(".") == ["build/a.py", "pkg/scripts/old.py", "scripts/new.py"]


def test_nested_configuration_excludes_within_its_folder(project: Path) -> None:
    (project / "sub").mkdir()
    (project / "sub" / "xentlint.toml").write_text('extend-exclude = ["vendored"]\n')
    touch(project, "vendored/a.py", "sub/vendored/b.py", "sub/c.py")
    assert found(".") == ["sub/c.py", "vendored/a.py"]


def test_files_named_explicitly_are_checked_unless_exclusion_is_forced(project: Path) -> None:
    (project / "xentlint.toml").write_text('extend-exclude = ["legacy.py"]\n')
    touch(project, "build/gen.py", "legacy.py", "ok.py", "script")
    names = ("build/gen.py", "legacy.py", "ok.py", "script")
    assert found(*names) == ["build/gen.py", "legacy.py", "ok.py", "script"]
    assert found(*names, force_exclude=True) == ["ok.py", "script"]


def test_folder_named_explicitly_is_walked_unless_exclusion_is_forced(project: Path) -> None:
    touch(project, "build/gen.py")
    assert found("build") == ["build/gen.py"]
    assert found("build", force_exclude=True) == []


def test_missing_paths_are_reported_and_the_rest_still_found(project: Path) -> None:
    touch(project, "a.py")
    result = run("nope.py", "a.py", "missing/")
    assert result.files == [Path("a.py")]
    assert result.missing == ["nope.py", "missing/"]


def test_files_are_unique_and_sorted(project: Path) -> None:
    touch(project, "z.py", "a/b.py")
    assert found("z.py", ".", "./z.py", str(project / "a")) == ["a/b.py", "z.py"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinked_folders_do_not_loop(project: Path) -> None:
    touch(project, "pkg/a.py")
    os.symlink(project, project / "pkg" / "loop", target_is_directory=True)
    os.symlink(project / "pkg", project / "alias", target_is_directory=True)
    assert found(".") == ["pkg/a.py"]


def test_excluded_names_above_the_root_do_not_count(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(project, "build/proj/a.py", "build/proj/dist/b.py", "work/keep")
    monkeypatch.chdir(project / "work")  # no configuration: the root is the working directory
    assert found("../build/proj") == ["../build/proj/a.py"]
    assert found("../build/proj/a.py", force_exclude=True) == ["../build/proj/a.py"]
