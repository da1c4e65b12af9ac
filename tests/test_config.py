from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from xentlint import registry
from xentlint.rule_index import RuleEntry
from xentlint.config import DEFAULT_EXCLUDE, ConfigError, Overrides, SettingsResolver


# The configuration knows rules through the rule index (no rule classes, no LibCST).
DUMMY_RULES = (
    RuleEntry("XL101", "softmax-into-logits-loss", True, ()),
    RuleEntry("XL102", "sigmoid-into-logits-loss", True, ()),
    RuleEntry("XL201", "log-of-softmax", True, ()),
    RuleEntry("XL301", "opinionated-check", False, ()),
)


@pytest.fixture(autouse=True)
def rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "RULES", DUMMY_RULES)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def settings_for(path: Path, overrides: Overrides = Overrides()):
    return SettingsResolver(overrides).for_path(path)


def test_without_configuration_the_defaults_apply_from_the_working_directory(project: Path) -> None:
    settings = settings_for(project / "a.py")
    assert settings.codes == {"XL101", "XL102", "XL201"}
    assert settings.root == project
    assert settings.config_file is None
    assert settings.exclude == DEFAULT_EXCLUDE
    assert (settings.unsafe_fixes, settings.output_format) == (False, "text")


def test_pyproject_table_is_read(project: Path) -> None:
    config = write(project / "pyproject.toml", '[tool.xentlint]\nselect = ["XL1"]\nunsafe-fixes = true\n'
                                                'output-format = "sarif"\n')
    settings = settings_for(project / "pkg" / "a.py")
    assert settings.codes == {"XL101", "XL102"}
    assert (settings.unsafe_fixes, settings.output_format) == (True, "sarif")
    assert (settings.root, settings.config_file) == (project, config)


def test_pyproject_without_table_is_passed_over(project: Path) -> None:
    write(project / "xentlint.toml", 'select = ["XL2"]\n')
    write(project / "pkg" / "pyproject.toml", "[project]\nname = 'pkg'\n")
    assert settings_for(project / "pkg" / "a.py").codes == {"XL201"}


def test_xentlint_toml_wins_over_pyproject_in_the_same_folder(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.xentlint]\nselect = ["XL1"]\n')
    write(project / "xentlint.toml", 'select = ["XL2"]\n')
    assert settings_for(project / "a.py").codes == {"XL201"}


def test_nearest_configuration_applies_without_merging(project: Path) -> None:
    write(project / "xentlint.toml", 'select = ["XL1"]\nunsafe-fixes = true\n')
    write(project / "sub" / "xentlint.toml", 'ignore = ["XL201"]\n')
    settings = settings_for(project / "sub" / "deep" / "a.py")
    assert settings.codes == {"XL101", "XL102"}
    assert settings.unsafe_fixes is False
    assert settings.root == project / "sub"


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('extend-select = ["XL301"]', {"XL101", "XL102", "XL201", "XL301"}),
        ('ignore = ["XL1"]', {"XL201"}),
        ('select = ["ALL"]', {"XL101", "XL102", "XL201", "XL301"}),
        ('select = ["ALL"]\nignore = ["XL1"]', {"XL201", "XL301"}),
        # A more specific selector wins over a less specific one, whichever list it is in.
        ('select = ["XL101"]\nignore = ["XL1"]', {"XL101"}),
        ('select = ["XL1"]\nignore = ["XL102"]', {"XL101"}),
        ('select = ["XL101"]\nignore = ["XL101"]', set()),
        ('select = []', set()),
        ('select = ["xl2"]', {"XL201"}),
    ],
)
def test_rule_selection(project: Path, table: str, expected: set[str]) -> None:
    write(project / "xentlint.toml", table + "\n")
    assert settings_for(project / "a.py").codes == expected


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # --select replaces the configuration's selection.
        (Overrides(select=("XL2",)), {"XL201"}),
        (Overrides(select=("XL1",)), {"XL101", "XL102"}),
        # --extend-select and --ignore change the configuration's selection.
        (Overrides(extend_select=("XL201",)), {"XL101", "XL201"}),
        (Overrides(ignore=("XL101",)), set()),
        (Overrides(select=("ALL",), ignore=("XL3",)), {"XL101", "XL102", "XL201"}),
    ],
)
def test_command_line_selection(project: Path, overrides: Overrides, expected: set[str]) -> None:
    write(project / "xentlint.toml", 'select = ["XL1"]\nignore = ["XL102"]\n')
    assert settings_for(project / "a.py", overrides).codes == expected


def test_command_line_options_beat_the_configuration(project: Path) -> None:
    write(project / "xentlint.toml", 'unsafe-fixes = true\noutput-format = "json"\n')
    settings = settings_for(project / "a.py", Overrides(unsafe_fixes=False, output_format="github"))
    assert (settings.unsafe_fixes, settings.output_format) == (False, "github")


def test_per_file_ignores_match_gitignore_style_relative_to_the_config_folder(project: Path) -> None:
    write(project / "xentlint.toml", '[per-file-ignores]\n"tests/*.py" = ["XL1"]\n"*.ipynb" = ["XL201"]\n'
                                     '"scripts/" = ["ALL"]\n')
    settings = settings_for(project / "a.py")
    assert settings.codes_for(project / "tests" / "test_a.py") == {"XL201"}
    # A pattern with a slash is anchored to the configuration's folder.
    assert settings.codes_for(project / "src" / "tests" / "test_a.py") == {"XL101", "XL102", "XL201"}
    # One without a slash matches at any depth.
    assert settings.codes_for(project / "notebooks" / "deep" / "train.ipynb") == {"XL101", "XL102"}
    assert settings.codes_for(project / "scripts" / "one" / "run.py") == frozenset()
    # Relative paths are taken from the working directory.
    assert settings.codes_for(Path("tests/test_b.py")) == {"XL201"}


def test_exclude_replaces_the_defaults_and_extend_exclude_adds(project: Path) -> None:
    default = settings_for(project / "a.py")
    assert default.is_excluded(project / "build", is_dir=True)
    write(project / "xentlint.toml", 'exclude = ["generated"]\nextend-exclude = ["legacy/*.py"]\n')
    settings = settings_for(project / "a.py")
    assert not settings.is_excluded(project / "build", is_dir=True)
    assert settings.is_excluded(project / "pkg" / "generated", is_dir=True)
    assert settings.is_excluded(project / "legacy" / "old.py", is_dir=False)


@pytest.mark.parametrize(
    ("name", "content", "fragments"),
    [
        ("xentlint.toml", 'selct = ["XL1"]', ["unknown key 'selct'", "did you mean 'select'"]),
        ("pyproject.toml", '[tool.xentlint]\nselct = ["XL1"]', ["unknown key 'selct' in [tool.xentlint]"]),
        ("pyproject.toml", '[tool.xentlint]\nselect = ["XL999"]',
         ["[tool.xentlint] select: unknown rule code or prefix 'XL999'"]),
        ("xentlint.toml", 'ignore = ["F401"]', ["ignore: unknown rule code or prefix 'F401'"]),
        ("xentlint.toml", 'extend-select = ["XL9"]', ["extend-select: unknown rule code or prefix 'XL9'"]),
        ("xentlint.toml", 'select = "XL1"', ["select: expected a list of strings"]),
        ("xentlint.toml", "ignore = [1]", ["ignore: expected a list of strings"]),
        ("xentlint.toml", 'exclude = "build"', ["exclude: expected a list of strings"]),
        ("xentlint.toml", "extend-exclude = [true]", ["extend-exclude: expected a list of strings"]),
        ("xentlint.toml", 'unsafe-fixes = "yes"', ["unsafe-fixes: expected true or false"]),
        ("xentlint.toml", 'output-format = "xml"', ["output-format: expected one of text, json"]),
        ("xentlint.toml", 'per-file-ignores = ["a.py"]', ["per-file-ignores: expected a table"]),
        ("xentlint.toml", '[per-file-ignores]\n"a.py" = "XL1"', ["per-file-ignores: 'a.py': expected a list"]),
        ("xentlint.toml", '[per-file-ignores]\n"a.py" = ["XL5"]',
         ["per-file-ignores: 'a.py': unknown rule code or prefix 'XL5'"]),
        ("xentlint.toml", 'src = "lib"', ["src: expected a list of strings"]),
        ("xentlint.toml", "select = [", ["cannot read configuration"]),
        ("pyproject.toml", "[tool]\nxentlint = 3", ["[tool.xentlint] must be a table"]),
    ],
)
def test_configuration_errors_name_the_file_and_key(project: Path, name: str, content: str,
                                                    fragments: list[str]) -> None:
    write(project / name, content + "\n")
    with pytest.raises(ConfigError) as caught:
        settings_for(project / "a.py")
    message = str(caught.value)
    assert message.startswith(f"{project / name}: ")
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        (Overrides(select=("XL999",)), "--select: unknown rule code or prefix 'XL999'"),
        (Overrides(extend_select=("E501",)), "--extend-select: unknown rule code or prefix 'E501'"),
        (Overrides(ignore=("XL4",)), "--ignore: unknown rule code or prefix 'XL4'"),
        (Overrides(output_format="xml"), "--output-format: expected one of"),
    ],
)
def test_bad_command_line_options_raise(overrides: Overrides, fragment: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(fragment)):
        SettingsResolver(overrides)


def test_explicit_config_file_skips_discovery(project: Path) -> None:
    # Any file name but pyproject.toml holds top-level keys.
    explicit = write(project / "ci" / "strict.toml", 'select = ["ALL"]\n')
    write(project / "pkg" / "xentlint.toml", 'select = ["XL2"]\n')
    resolver = SettingsResolver(Overrides(), config_file=Path(os.path.relpath(explicit)))
    settings = resolver.for_path(project / "pkg" / "a.py")
    assert settings.codes == {"XL101", "XL102", "XL201", "XL301"}
    assert (settings.root, settings.config_file) == (project / "ci", explicit)


def test_explicit_pyproject_without_table_is_an_empty_configuration(project: Path) -> None:
    pyproject = write(project / "tools" / "pyproject.toml", "[project]\nname = 'x'\n")
    settings = SettingsResolver(Overrides(), config_file=pyproject).for_path(project / "a.py")
    assert settings.codes == {"XL101", "XL102", "XL201"}
    assert settings.root == project / "tools"


def test_missing_explicit_config_file_raises(project: Path) -> None:
    with pytest.raises(ConfigError, match="nope.toml: configuration file not found"):
        SettingsResolver(Overrides(), config_file=project / "nope.toml")


def test_settings_are_cached_per_folder_and_shared_per_config(project: Path) -> None:
    write(project / "xentlint.toml", "")
    resolver = SettingsResolver(Overrides())
    first = resolver.for_path(project / "a" / "x.py")
    assert resolver.for_path(project / "a" / "y.py") is first
    assert resolver.for_path(project / "b" / "z.py") is first


def test_fingerprint_is_stable_and_follows_what_changes_results(project: Path) -> None:
    write(project / "xentlint.toml", 'select = ["XL1"]\n')
    fingerprint = settings_for(project / "a.py").fingerprint()
    assert settings_for(project / "b.py").fingerprint() == fingerprint
    assert settings_for(project / "a.py", Overrides(output_format="json")).fingerprint() == fingerprint
    assert settings_for(project / "a.py", Overrides(ignore=("XL101",))).fingerprint() != fingerprint
    assert settings_for(project / "a.py", Overrides(unsafe_fixes=True)).fingerprint() != fingerprint
    write(project / "xentlint.toml", 'select = ["XL1"]\n[per-file-ignores]\n"t/*" = ["XL101"]\n')
    assert settings_for(project / "a.py").fingerprint() != fingerprint


def test_source_roots_are_relative_to_the_configuration_and_change_the_fingerprint(project: Path) -> None:
    assert settings_for(project / "a.py").source_roots is None  # the project root and its `src`
    write(project / "pyproject.toml", '[tool.xentlint]\nsrc = ["lib", "../shared", "."]\n')
    settings = settings_for(project / "pkg" / "a.py")
    assert settings.source_roots == (str(project / "lib"), str(project.parent / "shared"), str(project))
    write(project / "pyproject.toml", '[tool.xentlint]\nsrc = ["lib"]\n')
    assert settings_for(project / "a.py").fingerprint() != settings.fingerprint()
