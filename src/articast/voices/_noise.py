"""Reproducible neural speech: the noise a piper model samples comes from what it says.

Part of the ``voices`` stage, used by the piper backend only. A VITS model (every piper voice)
draws Gaussian noise twice per sentence inside its ONNX graph (``RandomNormalLike``): once for
the stochastic duration predictor, once for the flow's latent. onnxruntime seeds each such node
when the session is made and moves its generator on with every run, so the same sentence came
out differently in every process (and in one process, after a different earlier sentence): a
116 s episode measured 116.26 s in one build and 116.34 s in the next.

``seed_noise`` rewrites those nodes in the loaded model (in memory; the file is untouched) so
that each reads its noise from a new graph input instead; ``SeededSession`` wraps the session
that piper calls and fills those inputs with noise from a generator seeded by the sentence's
phoneme ids and scales. A sentence therefore sounds the same wherever and however often it is
voiced, whatever was voiced before it, and the noise is as Gaussian as before (numpy's PCG64
instead of onnxruntime's generator), so the voice sounds as natural as it did.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["NOISE_VERSION", "NoiseInput", "SeededSession", "seed_noise"]

NOISE_VERSION = "noise-1"
"""Changes whenever the noise a sentence gets changes (part of the voice version)."""
FRAMES_PER_ID = 12
"""Noise values provided per phoneme id and channel, at length scale 1. joe measures 2.9
frames per id (a pad between phonemes, 11.6 ms frames); four times that covers a slow rate and
long vowels. A longer latent is still filled, by repeating the values (``Tile`` in the graph)."""


@dataclass(frozen=True)
class NoiseInput:
    """One graph input that replaced a ``RandomNormalLike`` node."""

    name: str
    mean: float
    scale: float


def _const(graph: Any, name: str, values: list[int]) -> str:
    from onnx import numpy_helper

    graph.initializer.append(numpy_helper.from_array(np.array(values, dtype=np.int64), name))
    return name


def seed_noise(proto: Any) -> tuple[NoiseInput, ...]:
    """Replace every float ``RandomNormalLike`` node of ``proto`` (an ``onnx.ModelProto``, changed
    in place) by values read from a new 1-D float input: the input tiled to the template's
    size, cut to it and shaped like it. Returns the new inputs, in graph order."""
    from onnx import TensorProto, helper

    graph = proto.graph
    found: list[NoiseInput] = []
    nodes: list[Any] = []
    for node in graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type != "RandomNormalLike" or attrs.get("dtype", 1) != TensorProto.FLOAT:
            nodes.append(node)
            continue
        k = len(found)
        name = f"articast_noise_{k}"
        p = f"/articast_noise_{k}/"
        found.append(NoiseInput(name, float(attrs.get("mean", 0.0)), float(attrs.get("scale", 1.0))))
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [f"noise_{k}"]))
        like, out = node.input[0], node.output[0]
        one = _const(graph, p + "one", [1])
        zero = _const(graph, p + "zero", [0])
        nodes += [
            helper.make_node("Shape", [like], [p + "shape"]),
            helper.make_node("Size", [like], [p + "size0"]),
            helper.make_node("Reshape", [p + "size0", one], [p + "size"]),
            helper.make_node("Shape", [name], [p + "have"]),
            # repeats = ceil(size / have): the input covers the template even when short.
            helper.make_node("Add", [p + "size", p + "have"], [p + "sum"]),
            helper.make_node("Sub", [p + "sum", one], [p + "sum1"]),
            helper.make_node("Div", [p + "sum1", p + "have"], [p + "repeats"]),
            helper.make_node("Tile", [name, p + "repeats"], [p + "tiled"]),
            helper.make_node("Slice", [p + "tiled", zero, p + "size"], [p + "flat"]),
            helper.make_node("Reshape", [p + "flat", p + "shape"], [out]),
        ]
    if found:
        del graph.node[:]
        graph.node.extend(nodes)
    return tuple(found)


def sentence_seed(feeds: dict[str, Any]) -> int:
    """A 128-bit seed from what the model is asked to say: phoneme ids, scales, speaker."""
    h = hashlib.sha256(NOISE_VERSION.encode())
    for key in ("input", "scales", "sid"):
        value = feeds.get(key)
        if value is not None:
            arr = np.ascontiguousarray(value)
            h.update(key.encode() + str(arr.dtype).encode() + str(arr.shape).encode())
            h.update(arr.tobytes())
    return int.from_bytes(h.digest()[:16], "little")


class SeededSession:
    """An onnxruntime session whose noise inputs are filled from the sentence itself.

    piper's ``PiperVoice`` calls ``run`` with its own inputs; this adds the noise. Every other
    attribute is the wrapped session's.
    """

    def __init__(self, session: Any, noise: tuple[NoiseInput, ...]) -> None:
        self._session = session
        self._noise = noise

    def run(self, output_names: Any, feeds: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        """Run the model with ``feeds`` plus noise seeded by them."""
        rng = np.random.Generator(np.random.PCG64(sentence_seed(feeds)))
        ids = int(np.asarray(feeds["input"]).size)
        scales = np.asarray(feeds.get("scales", [1.0, 1.0, 1.0]), dtype=np.float64)
        length_scale = float(scales[1]) if scales.size > 1 else 1.0
        frames = ids * FRAMES_PER_ID * max(1.0, length_scale)
        # 192 channels is VITS's latent width; a model with more is covered by tiling.
        budget = max(256, int(frames) * 192)
        extra = {
            n.name: (rng.standard_normal(budget, dtype=np.float32) * n.scale + n.mean).astype(
                np.float32
            )
            for n in self._noise
        }
        return self._session.run(output_names, {**feeds, **extra}, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)
