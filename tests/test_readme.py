"""The README's Quick start and CI stay in step."""

import re
import subprocess

import pytest

from conftest import REPO_ROOT


def _quick_start_commands():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Quick start\n(.*?)(?=^## )", readme,
                        re.S | re.M).group(1)
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    return [line for block in blocks for line in block.splitlines() if line]


def test_quick_start_has_exactly_two_commands():
    commands = _quick_start_commands()
    assert len(commands) == 2
    assert "afd-quickstart" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim():
    ci_lines = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _quick_start_commands()[1] in ci_lines


def _tracked_top_level_folders():
    files = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, check=True,
                           capture_output=True, text=True).stdout.splitlines()
    return {f.split("/", 1)[0] for f in files if "/" in f}


def test_layout_table_lists_every_top_level_folder():
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout; the tracked folders are unknown")
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Layout\n(.*?)(?=^## |\Z)", readme,
                        re.S | re.M).group(1)
    listed = set(re.findall(r"^\| `([^`/]+)/`", section, re.M))
    assert _tracked_top_level_folders() <= listed, (
        "Folders missing from the README's Layout table: "
        f"{sorted(_tracked_top_level_folders() - listed)}")
