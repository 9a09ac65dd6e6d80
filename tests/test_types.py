"""The package type-checks clean: mypy over `callqa`, configured by setup.cfg's [mypy] sections.

mypy cannot follow setup.cfg's package_dir (callqa.qa lives in qa/, and so on), so it checks a
folder that lays the package out as one tree: a `callqa/` of symbolic links to the entries of
the repository's callqa/ and to each mapped folder (qa/ as callqa/qa, ...)."""
from __future__ import annotations

import configparser
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ROOT_PACKAGE = "callqa"


def mapped_folders(setup_cfg: Path) -> dict[str, Path]:
    """setup.cfg's package_dir: package -> folder, e.g. "callqa.qa" -> <repo>/qa."""
    config = configparser.ConfigParser()
    config.read(setup_cfg)
    mapping = {}
    for line in config["options"]["package_dir"].strip().splitlines():
        package, folder = (part.strip() for part in line.split("="))
        mapping[package] = setup_cfg.parent / folder
    return mapping


def package_tree(into: Path) -> Path:
    """Lay the package out under `into` as mypy expects it; returns `into`."""
    mapping = mapped_folders(REPO / "setup.cfg")
    package = into / ROOT_PACKAGE
    package.mkdir(parents=True)
    for entry in mapping[ROOT_PACKAGE].iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    for name, folder in mapping.items():
        if name != ROOT_PACKAGE:
            (into / name.replace(".", "/")).symlink_to(folder, target_is_directory=True)
    return into


def mypy_cache(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Kept in pytest's cache between runs (a warm run takes seconds), else a scratch one."""
    cache = getattr(request.config, "cache", None)
    return cache.mkdir("mypy") if cache is not None else tmp_path / "mypy-cache"


def test_the_package_type_checks_clean(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    if importlib.util.find_spec("mypy") is None:
        reason = "mypy is not installed: install the dev extra (pip install -e '.[dev]')"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    tree = package_tree(tmp_path / "tree")
    command = [sys.executable, "-m", "mypy", "--config-file", str(REPO / "setup.cfg"),
               "--cache-dir", str(mypy_cache(request, tmp_path)), "-p", ROOT_PACKAGE]
    run = subprocess.run(command, cwd=tree, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"mypy found type errors:\n{run.stdout}{run.stderr}"
