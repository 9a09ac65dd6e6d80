from pathlib import Path

from callqa.qa.whisper_model import (
    BUNDLED_MODEL,
    _bundled_parts,
    assemble_bundled_model,
    resolve_model,
)


def test_bundled_model_is_assembled_from_its_two_parts_once(tmp_path: Path):
    parts = _bundled_parts()
    model_dir = assemble_bundled_model(tmp_path)
    model_bin = model_dir / "model.bin"
    assert model_bin.stat().st_size == sum(p.stat().st_size for p in parts)
    assert {p.name for p in model_dir.iterdir()} == {
        "model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}
    with open(model_bin, "rb") as assembled, open(parts[1], "rb") as second:
        assembled.seek(parts[0].stat().st_size)
        assert assembled.read(4096) == second.read(4096)
    first_mtime = model_bin.stat().st_mtime_ns
    assert assemble_bundled_model(tmp_path) == model_dir
    assert model_bin.stat().st_mtime_ns == first_mtime


def test_a_damaged_assembly_is_rebuilt(tmp_path: Path):
    model_bin = assemble_bundled_model(tmp_path) / "model.bin"
    size = model_bin.stat().st_size
    with open(model_bin, "r+b") as damaged:
        damaged.truncate(1000)
    assemble_bundled_model(tmp_path)
    assert model_bin.stat().st_size == size


def test_a_configured_model_name_or_path_is_used_as_given(tmp_path: Path):
    assert resolve_model("small", tmp_path) == "small"
    assert resolve_model("/models/large-v3", tmp_path) == "/models/large-v3"
    assert resolve_model(BUNDLED_MODEL, tmp_path).startswith(str(tmp_path))
