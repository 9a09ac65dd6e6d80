"""Two Whisper engines behind one interface: the bundled CTranslate2 weights converted for
openai-whisper, engine selection by setting, and both engines hearing the same call."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from callqa.qa.audio import decode_audio
from callqa.qa.transcript import Speaker
from callqa.qa.transcription import (
    Engine,
    EngineOptions,
    TranscribeOptions,
    load_engine,
    transcribe_stretch,
)
from callqa.qa.whisper_checkpoint import (
    _dequantized,
    checkpoint_shapes,
    dimensions,
    openai_checkpoint,
    read_ct2_variables,
)
from callqa.qa.whisper_model import BUNDLED_MODEL, assemble_bundled_model
from callqa.services.transcribing import load_transcriber, transcribe_options
from callqa.settings import InvalidValue, Settings, load_settings

# as tests/conftest.py's (a module import of conftest would find tests/scoring's)
MODEL_CACHE = Path(os.environ.get("CALLQA_TEST_MODEL_CACHE", Path.home() / ".cache" / "callqa"))

if os.environ.get("CI"):  # CI installs the engine: its absence fails the run there
    import torch
    import whisper  # noqa: F401
else:
    torch = pytest.importorskip("torch", reason="the openai-whisper engine is not installed")
    pytest.importorskip("whisper", reason="the openai-whisper engine is not installed")


@pytest.fixture(scope="module")
def ct2_dir() -> Path:
    return assemble_bundled_model(MODEL_CACHE)


@pytest.fixture(scope="module")
def ct2_variables(ct2_dir: Path) -> dict[str, np.ndarray]:
    return read_ct2_variables(ct2_dir / "model.bin")


@pytest.fixture(scope="module")
def checkpoint(ct2_dir: Path) -> dict:
    return torch.load(openai_checkpoint(ct2_dir, MODEL_CACHE), weights_only=True)


def test_the_converted_checkpoint_has_the_shapes_openai_whisper_builds(checkpoint):
    import whisper

    dims = whisper.model.ModelDimensions(**checkpoint["dims"])
    assert (dims.n_audio_layer, dims.n_text_layer, dims.n_text_state, dims.n_vocab) == (
        6, 6, 512, 51865)  # Whisper base, multilingual
    built = whisper.model.Whisper(dims).state_dict()
    saved = checkpoint["model_state_dict"]
    assert set(saved) == set(built)
    assert all(saved[name].shape == built[name].shape for name in built)
    assert checkpoint["alignment_heads"]  # word timestamps use the model's own heads


def test_a_layers_values_round_trip_from_the_ct2_model(ct2_variables, checkpoint):
    saved = {name: t.numpy() for name, t in checkpoint["model_state_dict"].items()}
    fused = ct2_variables["encoder/layer_2/self_attention/linear_0/weight"]
    assert np.array_equal(np.concatenate([saved["encoder.blocks.2.attn.query.weight"],
                                          saved["encoder.blocks.2.attn.key.weight"],
                                          saved["encoder.blocks.2.attn.value.weight"]]), fused)
    cross = ct2_variables["decoder/layer_4/attention/linear_1/bias"]
    assert np.array_equal(saved["decoder.blocks.4.cross_attn.value.bias"], cross[512:])
    assert not cross[:512].any()  # the bias-free key: zeros in CTranslate2's fused linear
    assert np.array_equal(saved["decoder.blocks.5.mlp.2.weight"],
                          ct2_variables["decoder/layer_5/ffn/linear_1/weight"])
    assert np.array_equal(saved["decoder.token_embedding.weight"],
                          ct2_variables["decoder/projection/weight"])  # an alias, resolved


def test_shapes_are_checked_against_the_architecture_not_the_conversion(ct2_variables):
    shapes = checkpoint_shapes(dimensions(ct2_variables))
    assert shapes["encoder.conv1.weight"] == (512, 80, 3)
    assert shapes["decoder.blocks.0.cross_attn.key.weight"] == (512, 512)
    assert "decoder.blocks.0.cross_attn.key.bias" not in shapes


def test_int8_weights_are_scaled_back_with_their_row_scales():
    weight = np.array([[0.5, -1.0, 0.25], [2.0, 0.0, -4.0]], dtype=np.float32)
    scale = 127.0 / np.abs(weight).max(axis=1)  # as CTranslate2 quantizes to int8
    quantized = np.rint(weight * scale[:, None]).astype(np.int8)
    restored = _dequantized({"w/weight": quantized, "w/weight_scale": scale.astype(np.float32)})
    assert set(restored) == {"w/weight"}
    assert np.allclose(restored["w/weight"], weight, atol=4.0 / 127)


def test_the_conversion_is_made_once_and_reused(ct2_dir):
    first = openai_checkpoint(ct2_dir, MODEL_CACHE)
    mtime = first.stat().st_mtime_ns
    assert openai_checkpoint(ct2_dir, MODEL_CACHE) == first
    assert first.stat().st_mtime_ns == mtime


def test_the_engine_is_chosen_by_setting():
    assert load_settings({}).engine == Engine.FASTER_WHISPER
    settings = load_settings({"CALLQA_ENGINE": "openai-whisper"})
    assert settings.engine == Engine.OPENAI_WHISPER
    with pytest.raises(InvalidValue, match="CALLQA_ENGINE"):
        load_settings({"CALLQA_ENGINE": "whisper.cpp"})
    chosen = load_transcriber(replace(settings, model_cache_dir=MODEL_CACHE, cpu_threads=1))
    assert chosen.info.engine == "openai-whisper"
    assert load_transcriber(Settings(model_cache_dir=MODEL_CACHE)).info.engine == "faster-whisper"


def test_a_users_own_checkpoint_file_is_loaded(ct2_dir):
    path = openai_checkpoint(ct2_dir, MODEL_CACHE)
    engine = load_engine(EngineOptions(model=str(path), cache_dir=MODEL_CACHE,
                                       engine=Engine.OPENAI_WHISPER, cpu_threads=1))
    assert engine.info.model == str(path)


def test_without_the_extra_the_error_says_what_to_install(tmp_path):
    script = (
        "import sys; sys.modules['torch'] = None\n"  # as if torch were not installed
        "from pathlib import Path\n"
        "from callqa.qa.transcription import Engine, EngineOptions, EngineMissing, load_engine\n"
        "try:\n"
        f"    load_engine(EngineOptions('{BUNDLED_MODEL}', Path('{tmp_path}'),"
        " Engine.OPENAI_WHISPER))\n"
        "except EngineMissing as exc:\n"
        "    print(exc)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    assert "not installed" in out and "pip install 'callqa[openai-whisper]'" in out
    assert not (tmp_path / "models").exists()  # nothing assembled or converted first


def test_what_openai_whisper_cannot_honour_is_refused():
    from callqa.qa.openai_whisper import UnsupportedOption, check_options

    with pytest.raises(UnsupportedOption, match="loop_compression_ratio"):
        check_options(TranscribeOptions(language="en"))
    with pytest.raises(UnsupportedOption, match="hot words"):
        check_options(TranscribeOptions(language="en", loop_compression_ratio=None,
                                        hotwords="Northwind", initial_prompt="Good morning"))
    check_options(TranscribeOptions(language="en", loop_compression_ratio=None,
                                    hotwords="Northwind"))
    with pytest.raises(ValueError, match="float32"):
        load_engine(EngineOptions(BUNDLED_MODEL, MODEL_CACHE, Engine.OPENAI_WHISPER, "int8"))
    options = transcribe_options(Settings(engine=Engine.OPENAI_WHISPER), "en", "John Carter")
    assert options.loop_compression_ratio is None and options.hotwords == "John Carter"


@pytest.fixture(scope="module")
def engines() -> dict[str, object]:
    """Both engines in float32 on the same weights, one thread each (CI shares the cores)."""
    return {engine.value: load_engine(EngineOptions(BUNDLED_MODEL, MODEL_CACHE, engine,
                                                    "float32", cpu_threads=1))
            for engine in Engine}


def test_both_engines_hear_the_greeting_on_the_agents_track(engines, corpus, manifest):
    entry = manifest["cen022"]
    assert entry["layout"] == "agent-left"
    audio = decode_audio(corpus / entry["file"])
    options = replace(TranscribeOptions(language="en", hotwords="John Carter"),
                      loop_compression_ratio=None)
    heard = {}
    for name, transcriber in engines.items():
        utterances = transcribe_stretch(audio.channels[0], 0.0, 8.0, Speaker.AGENT, 0,
                                        transcriber, options)  # type: ignore[arg-type]
        text = " ".join(u.text for u in utterances).lower()
        assert "good morning" in text and "thank you for calling" in text, (name, text)
        words = [w for u in utterances for w in u.words]
        assert words and all(0.0 <= w.start <= w.end <= 8.0 for w in words)
        assert all(0.0 < w.probability <= 1.0 for w in words)
        heard[name] = [(w.text, w.start, w.end) for w in words]
    # the same weights in float32 at equal beam: the same words, at the same times (10 ms)
    fw, ow = heard["faster-whisper"], heard["openai-whisper"]
    assert [w[0] for w in fw] == [w[0] for w in ow]
    assert all(abs(a[1] - b[1]) <= 0.011 and abs(a[2] - b[2]) <= 0.011
               for a, b in zip(fw, ow, strict=True))


@pytest.mark.parametrize("name", ["silence_60s.wav", "noise_only_30s.wav"])
def test_openai_whisper_invents_nothing_for_silence_and_noise(engines, corpus, name):
    audio = decode_audio(corpus / "bad" / name)
    options = TranscribeOptions(language="en", loop_compression_ratio=None)
    segments = list(engines["openai-whisper"].transcribe(audio.channels[0], options))
    assert not [s.text for s in segments if s.text]
