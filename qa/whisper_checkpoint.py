"""The bundled CTranslate2 Whisper model as an openai-whisper checkpoint (dims + state dict).

No model hub is reachable, so openai-whisper runs on the same weights faster-whisper does:
CTranslate2's model.bin is read as written by its own serializer (ctranslate2/specs/
model_spec.py `_serialize`: version, spec name, revision, then each variable as name, rank,
dims, dtype, byte count, bytes; then aliases), and its Whisper variables are renamed to
openai-whisper's (whisper/model.py). CTranslate2 fuses attention projections: self-attention
query, key and value in one linear, cross-attention key and value in another, with zero bias
for openai-whisper's bias-free key; they are split back here. Quantized int8/int16 weights are
scaled back to floats with their stored `*_scale`.

    convert_to_checkpoint(ct2_dir, path)  # once; openai_checkpoint() does it into the cache
"""
from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from callqa.qa.whisper_model import ModelError, _temporary_sibling

__all__ = [
    "Dimensions", "read_ct2_variables", "openai_state_dict", "convert_to_checkpoint",
    "openai_checkpoint", "checkpoint_shapes",
]

_BINARY_VERSION = 6  # the model.bin layout this reader knows (CTranslate2 4.x)
_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")  # type ids, in order


@dataclass(frozen=True)
class Dimensions:
    """openai-whisper's ModelDimensions, field for field."""

    n_mels: int
    n_audio_ctx: int
    n_audio_state: int
    n_audio_head: int
    n_audio_layer: int
    n_vocab: int
    n_text_ctx: int
    n_text_state: int
    n_text_head: int
    n_text_layer: int


def read_ct2_variables(model_bin: Path) -> dict[str, np.ndarray]:
    """Every variable of a CTranslate2 model.bin by name, aliases resolved, quantized
    weights scaled back to float32 (floats keep their stored precision)."""
    data = memoryview(model_bin.read_bytes())
    reader = _Reader(data)
    version = reader.unpack("I")
    if version != _BINARY_VERSION:
        raise ModelError(f"{model_bin}: CTranslate2 binary version {version}, expected "
                         f"{_BINARY_VERSION}")
    spec = reader.string()
    if spec != "WhisperSpec":
        raise ModelError(f"{model_bin} holds a {spec}, not a Whisper model")
    reader.unpack("I")  # spec revision
    variables = dict(_variables(reader))
    for _ in range(reader.unpack("I")):
        alias, target = reader.string(), reader.string()
        variables[alias] = variables[target]
    return _dequantized(variables)


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self.data, self.offset = data, 0

    def unpack(self, fmt: str) -> int:
        (value,) = struct.unpack_from("<" + fmt, self.data, self.offset)
        self.offset += struct.calcsize("<" + fmt)
        return int(value)

    def string(self) -> str:
        length = self.unpack("H")  # with the closing NUL
        text = bytes(self.data[self.offset:self.offset + length - 1]).decode("utf-8")
        self.offset += length
        return text

    def array(self, shape: tuple[int, ...], dtype: str, size: int) -> np.ndarray:
        raw = self.data[self.offset:self.offset + size]
        self.offset += size
        if dtype == "bfloat16":  # numpy has none: the high half of a float32
            halves = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            return halves.view(np.float32).reshape(shape)
        return np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape)


def _variables(reader: _Reader) -> Iterator[tuple[str, np.ndarray]]:
    for _ in range(reader.unpack("I")):
        name = reader.string()
        shape = tuple(reader.unpack("I") for _ in range(reader.unpack("B")))
        dtype = _DTYPES[reader.unpack("B")]
        size = reader.unpack("I")
        yield name, reader.array(shape, dtype, size)


def _dequantized(variables: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """int8/int16 weights divided by their per-row `weight_scale` (what CTranslate2's
    quantizer multiplied them by); the scales themselves dropped."""
    out = {}
    for name, value in variables.items():
        if name.endswith("_scale"):
            continue
        scale = variables.get(name + "_scale")
        if scale is not None and value.dtype in (np.int8, np.int16):
            scale = np.asarray(scale, dtype=np.float32)
            rows = scale.reshape((-1,) + (1,) * (value.ndim - 1)) if scale.ndim else scale
            value = value.astype(np.float32) / rows
        out[name] = value
    return out


def dimensions(variables: dict[str, np.ndarray]) -> Dimensions:
    def layers(prefix: str) -> int:
        parts = (name.split("/") for name in variables if name.startswith(prefix + "/"))
        return len({p[1] for p in parts if p[1].startswith("layer_") and p[1][6:].isdigit()})

    embeddings = variables["decoder/embeddings/weight"]
    return Dimensions(
        n_mels=variables["encoder/conv1/weight"].shape[1],
        n_audio_ctx=variables["encoder/position_encodings/encodings"].shape[0],
        n_audio_state=variables["encoder/conv1/weight"].shape[0],
        n_audio_head=int(variables["encoder/num_heads"]),
        n_audio_layer=layers("encoder"),
        n_vocab=embeddings.shape[0],
        n_text_ctx=variables["decoder/position_encodings/encodings"].shape[0],
        n_text_state=embeddings.shape[1],
        n_text_head=int(variables["decoder/num_heads"]),
        n_text_layer=layers("decoder"),
    )


def openai_state_dict(variables: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """openai-whisper's state dict (name -> array) from CTranslate2's variables."""
    dims = dimensions(variables)
    state: dict[str, np.ndarray] = {}
    for side, ct2 in (("encoder", "encoder"), ("decoder", "decoder")):
        count = dims.n_audio_layer if side == "encoder" else dims.n_text_layer
        for i in range(count):
            _block(state, variables, f"{ct2}/layer_{i}", f"{side}.blocks.{i}", side == "decoder")
    for name in ("conv1", "conv2"):
        state[f"encoder.{name}.weight"] = variables[f"encoder/{name}/weight"]
        state[f"encoder.{name}.bias"] = variables[f"encoder/{name}/bias"]
    state["encoder.positional_embedding"] = variables["encoder/position_encodings/encodings"]
    _layer_norm(state, variables, "encoder/layer_norm", "encoder.ln_post")
    state["decoder.token_embedding.weight"] = variables["decoder/embeddings/weight"]
    state["decoder.positional_embedding"] = variables["decoder/position_encodings/encodings"]
    _layer_norm(state, variables, "decoder/layer_norm", "decoder.ln")
    return state


def _block(state: dict, variables: dict, ct2: str, ours: str, cross: bool) -> None:
    _layer_norm(state, variables, f"{ct2}/self_attention/layer_norm", f"{ours}.attn_ln")
    _split_linear(state, variables, f"{ct2}/self_attention/linear_0",
                  [f"{ours}.attn.query", f"{ours}.attn.key", f"{ours}.attn.value"])
    _linear(state, variables, f"{ct2}/self_attention/linear_1", f"{ours}.attn.out")
    if cross:
        _layer_norm(state, variables, f"{ct2}/attention/layer_norm", f"{ours}.cross_attn_ln")
        _linear(state, variables, f"{ct2}/attention/linear_0", f"{ours}.cross_attn.query")
        _split_linear(state, variables, f"{ct2}/attention/linear_1",
                      [f"{ours}.cross_attn.key", f"{ours}.cross_attn.value"])
        _linear(state, variables, f"{ct2}/attention/linear_2", f"{ours}.cross_attn.out")
    _layer_norm(state, variables, f"{ct2}/ffn/layer_norm", f"{ours}.mlp_ln")
    _linear(state, variables, f"{ct2}/ffn/linear_0", f"{ours}.mlp.0")
    _linear(state, variables, f"{ct2}/ffn/linear_1", f"{ours}.mlp.2")


def _layer_norm(state: dict, variables: dict, ct2: str, ours: str) -> None:
    state[f"{ours}.weight"] = variables[f"{ct2}/gamma"]
    state[f"{ours}.bias"] = variables[f"{ct2}/beta"]


def _linear(state: dict, variables: dict, ct2: str, ours: str) -> None:
    state[f"{ours}.weight"] = variables[f"{ct2}/weight"]
    state[f"{ours}.bias"] = variables[f"{ct2}/bias"]


def _split_linear(state: dict, variables: dict, ct2: str, ours: list[str]) -> None:
    """A fused projection split back in equal parts; the key projection has no bias in
    openai-whisper. A key bias adds the same amount to every score of a query, which softmax
    cancels, so CTranslate2 stores zeros there; anything else is not this architecture."""
    weights = np.split(variables[f"{ct2}/weight"], len(ours), axis=0)
    biases = np.split(variables[f"{ct2}/bias"], len(ours), axis=0)
    for name, weight, bias in zip(ours, weights, biases, strict=True):
        state[f"{name}.weight"] = weight
        if name.endswith(".key"):
            if np.any(bias):
                raise ModelError(f"{ct2}: the key projection has a bias; openai-whisper's has none")
        else:
            state[f"{name}.bias"] = bias


def checkpoint_shapes(dims: Dimensions) -> dict[str, tuple[int, ...]]:
    """The shape of every tensor openai-whisper's Whisper(dims) loads, from the architecture
    (whisper/model.py), so a conversion is checked against it, not against itself."""
    shapes: dict[str, tuple[int, ...]] = {}
    a, t = dims.n_audio_state, dims.n_text_state

    def linear(name: str, out: int, inp: int, bias: bool = True) -> None:
        shapes[f"{name}.weight"] = (out, inp)
        if bias:
            shapes[f"{name}.bias"] = (out,)

    def norm(name: str, n: int) -> None:
        shapes[f"{name}.weight"] = shapes[f"{name}.bias"] = (n,)

    def block(prefix: str, n: int, cross: bool) -> None:
        for attn in ("attn", "cross_attn") if cross else ("attn",):
            linear(f"{prefix}.{attn}.query", n, n)
            linear(f"{prefix}.{attn}.key", n, n, bias=False)
            linear(f"{prefix}.{attn}.value", n, n)
            linear(f"{prefix}.{attn}.out", n, n)
            norm(f"{prefix}.{attn}_ln", n)
        linear(f"{prefix}.mlp.0", 4 * n, n)
        linear(f"{prefix}.mlp.2", n, 4 * n)
        norm(f"{prefix}.mlp_ln", n)

    shapes["encoder.conv1.weight"] = (a, dims.n_mels, 3)
    shapes["encoder.conv1.bias"] = (a,)
    shapes["encoder.conv2.weight"] = (a, a, 3)
    shapes["encoder.conv2.bias"] = (a,)
    shapes["encoder.positional_embedding"] = (dims.n_audio_ctx, a)
    for i in range(dims.n_audio_layer):
        block(f"encoder.blocks.{i}", a, cross=False)
    norm("encoder.ln_post", a)
    shapes["decoder.token_embedding.weight"] = (dims.n_vocab, t)
    shapes["decoder.positional_embedding"] = (dims.n_text_ctx, t)
    for i in range(dims.n_text_layer):
        block(f"decoder.blocks.{i}", t, cross=True)
    norm("decoder.ln", t)
    return shapes


def _check_shapes(state: dict[str, np.ndarray], dims: Dimensions) -> None:
    expected = checkpoint_shapes(dims)
    missing, extra = set(expected) - set(state), set(state) - set(expected)
    wrong = [f"{name} {state[name].shape} != {shape}" for name, shape in expected.items()
             if name in state and tuple(state[name].shape) != shape]
    if missing or extra or wrong:
        raise ModelError("converted checkpoint does not fit openai-whisper: "
                         f"missing {sorted(missing)[:3]}, extra {sorted(extra)[:3]}, "
                         f"wrong shapes {wrong[:3]}")


def _alignment_heads(ct2_dir: Path) -> list[list[int]]:
    """The (layer, head) pairs word timestamps use, from the model's config.json."""
    config = ct2_dir / "config.json"
    if not config.is_file():
        return []
    return [[int(layer), int(head)]
            for layer, head in json.loads(config.read_text()).get("alignment_heads", [])]


def convert_to_checkpoint(ct2_dir: Path, destination: Path) -> Path:
    """Write `ct2_dir`'s model as an openai-whisper checkpoint at `destination` (atomically):
    {"dims", "model_state_dict", "alignment_heads"}, the weights in their stored precision."""
    import torch

    variables = read_ct2_variables(ct2_dir / "model.bin")
    dims = dimensions(variables)
    state = openai_state_dict(variables)
    _check_shapes(state, dims)
    checkpoint = {
        "dims": asdict(dims),
        "model_state_dict": {name: torch.from_numpy(np.array(value))
                             for name, value in state.items()},
        "alignment_heads": _alignment_heads(ct2_dir),
    }
    tensor_bytes = sum(value.nbytes for value in state.values())
    destination.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_sibling(destination) as tmp:
        with open(tmp, "wb") as out:
            torch.save(checkpoint, out)
        if tmp.stat().st_size < tensor_bytes:
            raise ModelError(f"{tmp}: {tmp.stat().st_size} bytes written for "
                             f"{tensor_bytes} bytes of weights")
    return destination


def openai_checkpoint(ct2_dir: Path, cache_dir: Path) -> Path:
    """The checkpoint converted from `ct2_dir` (the assembled bundled model) in the model
    cache: converted on first use, reused while its size is right, converted again if not."""
    model_bin = ct2_dir / "model.bin"
    target = cache_dir / "models" / f"whisper-openai-from-{ct2_dir.name}.pt"
    size_file = target.with_suffix(".size")
    if target.is_file() and size_file.is_file() and size_file.read_text().strip() == str(
            target.stat().st_size):
        return target
    if not model_bin.is_file():
        raise ModelError(f"{model_bin} is missing: nothing to convert")
    convert_to_checkpoint(ct2_dir, target)
    with _temporary_sibling(size_file) as tmp:
        tmp.write_text(str(target.stat().st_size))
    return target
