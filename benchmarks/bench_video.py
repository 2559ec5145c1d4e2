"""Video benchmark: the sample rendered three ways, with times, real-time factors and memory.

1. ours   -- ``articast.video.render_video``: the moviepy composition (cross-fades, the end
             card easing in) sampled once per still picture and every frame where
             something moves, piped to x264 as YUV; frames that repeat the one before
             them are skipped pictures written by articast, not encoded; chunks joined by
             stream copy. ``build`` is the whole ``build_episode`` of the same article with
             its speech cached (audio, captions, pictures, video, publishing).
2. naive  -- moviepy ``CompositeVideoClip`` of ``TextClip`` captions over ``ImageClip`` slides,
             24 fps, default preset (the common way). It costs about 2x real time, so by
             default it renders only the first ``naive_seconds`` (10 s) of the episode; its real-time
             factor is what the ratio compares.
3. floor  -- ffmpeg's concat demuxer over the very same stills, ``-tune stillimage``, same
             fps and preset, one process (the stills are composed before the clock starts).

Peak memory is the largest summed RSS of this process and its children (ffmpeg) while a
render runs, sampled every 20 ms. ``motion`` renders again with ``--motion`` (zoom and pan
on the section pictures) to report its cost. ``run(long_minutes=60)`` also renders a synthetic
60-minute episode to show that memory does not grow with length.

``python benchmarks/bench_video.py`` prints the figures; ``benchmarks/run.py`` imports ``run``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample" / "sleep-and-memory.txt"


# --------------------------------------------------------------------------- measuring


def _tree_rss(pid: int) -> int:
    """Summed resident memory (bytes) of ``pid`` and all its descendants."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


@contextmanager
def peak_memory() -> Iterator[dict[str, float]]:
    """Sample the process tree's RSS while the block runs; yields a dict filled with ``peak_mb``."""
    out = {"peak_mb": 0.0}
    stop = threading.Event()
    peak = [0]

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss(os.getpid()))
            stop.wait(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield out
    finally:
        stop.set()
        thread.join()
        out["peak_mb"] = round(peak[0] / 1e6, 1)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


CPU: dict[str, float] = {}
"""CPU seconds (this process and its children) of the last ``_timed`` call."""


def _timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    with peak_memory() as mem:
        c0 = _cpu()
        t0 = time.perf_counter()
        value = fn()
        elapsed = time.perf_counter() - t0
        CPU["last"] = _cpu() - c0
    return elapsed, mem["peak_mb"], value


# --------------------------------------------------------------------------- the episode


def _sample_master(folder: Path) -> tuple[Any, Any, Any, Any, str]:
    """Article, script, talk and Master of the sample, through the real stages (espeak voice)."""
    from articast.audio import master_audio
    from articast.config import (
        AudioSettings,
        IngestSettings,
        NarrateSettings,
        ShowConfig,
        VoiceSettings,
    )
    from articast.ingest import load_article
    from articast.narrate import build_script
    from articast.voices import speak

    article = load_article(SAMPLE, IngestSettings(allow_network=False))
    talk = None
    if article.talk is not None:
        from articast.models import Talk

        ref = article.talk
        talk = Talk(ref.url, ref.video_id, ref.start, link_text=ref.text)
    script = build_script(article, talk, NarrateSettings())
    cache = folder / "cache"
    speech = speak(script, VoiceSettings(voice="espeak:en-us", allow_network=False), cache)
    master = master_audio(
        speech,
        talk,
        article,
        ShowConfig(),
        AudioSettings(),
        cover=None,
        out_dir=folder / "episode",
        workdir=folder / "work",
    )
    return article, script, talk, master, "sample via ingest/narrate/espeak/audio stages"


def _synthetic_master(folder: Path, minutes: float) -> tuple[Any, Any, Any, Any, str]:
    """A long episode from the fake voice (sentences of the sample text repeated)."""
    from articast.media import run_ffmpeg
    from articast.models import (
        Article,
        Chapter,
        Master,
        Script,
        Section,
        Segment,
        Talk,
        TimedSentence,
        TimedWord,
    )
    from articast.voices.base import SynthParams
    from articast.voices.fake import FakeVoice

    base = [
        "During deep sleep, large populations of neurons fire together in slow waves.",
        "Riding on top of these waves are sleep spindles, short bursts of activity.",
        "Researchers think spindles open a window for the hippocampus to replay the day.",
        "New memories start out in the hippocampus and are copied into the cortex.",
        "Over weeks, the cortical copy becomes strong enough to stand on its own.",
    ]
    voice = FakeVoice()
    synth = {s: voice.synthesize(s, SynthParams()) for s in base}
    sr = 22050
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / "master.wav"
    target = minutes * 60
    sentences: list[TimedSentence] = []
    chapters: list[Chapter] = []
    segments: list[Segment] = []
    sections: list[Section] = []
    n_sections = max(3, int(minutes))  # about one section per minute
    per_section = target / n_sections
    t = 0.0
    k = 0
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        for si in range(n_sections):
            kind = "intro" if si == 0 else "outro" if si == n_sections - 1 else "section"
            ch_start = t
            texts = []
            while t - ch_start < per_section - 1.5:
                text = base[k % len(base)]
                k += 1
                res = synth[text]
                words = tuple(TimedWord(x.text, t + x.start, t + x.end) for x in res.words)
                dur = len(res.pcm) / 2 / sr
                sentences.append(TimedSentence(text, t, t + dur, si, words))
                w.writeframes(res.pcm)
                gap = np.zeros(round(0.35 * sr), dtype="<i2").tobytes()
                w.writeframes(gap)
                t += dur + len(gap) / 2 / sr
                texts.append(text)
            pause = np.zeros(round(1.2 * sr), dtype="<i2").tobytes()
            w.writeframes(pause)
            t += len(pause) / 2 / sr
            title = (
                "Introduction"
                if kind == "intro"
                else "Outro"
                if kind == "outro"
                else (f"Part {si}")
            )
            chapters.append(Chapter(title, ch_start, t))
            index = None
            if kind == "section":
                index = len(sections)
                sections.append(Section(title, (" ".join(texts),)))
            segments.append(Segment(kind, title, tuple(texts), section_index=index))  # type: ignore[arg-type]
    mp3 = folder / "episode.mp3"
    run_ffmpeg(["-i", str(wav), "-c:a", "libmp3lame", "-b:a", "64k", str(mp3)], what="bench mp3")
    master = Master(mp3, wav, t, tuple(chapters), tuple(sentences))
    url = "https://www.youtube.com/watch?v=Xq3vN8sLk2E&t=95s"
    article = Article("A long night: sleep and memory, at length", tuple(sections))
    talk = Talk(url, "Xq3vN8sLk2E", 95, title="Why Sleep Matters", channel="Brain Talks")
    script = Script(article.title, tuple(segments))
    return article, script, talk, master, f"synthetic {minutes:g}-minute fake-voice episode"


# --------------------------------------------------------------------------- the three ways


def _naive(slides: Any, cues: Any, master: Any, out: Path, limit: float) -> float:
    """moviepy the common way: TextClip captions composited over ImageClips, 24 fps."""
    from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, TextClip

    w, h = slides.size
    layers: list[Any] = []
    for s in slides.slides:
        if s.start >= limit:
            break
        layers.append(
            ImageClip(str(s.image)).with_start(s.start).with_duration(min(s.end, limit) - s.start)
        )
    for c in cues:
        if c.start >= limit:
            break
        clip = TextClip(
            text=c.text,
            font_size=round(h * 0.05),
            color="white",
            bg_color=(0, 0, 0),
            method="caption",
            size=(round(w * 0.9), None),
            text_align="center",
            duration=min(c.end, limit) - c.start,
        )
        layers.append(clip.with_start(c.start).with_position(("center", round(h * 0.78))))
    video = CompositeVideoClip(layers, size=(w, h)).with_duration(limit)
    audio = AudioFileClip(str(master.wav)).subclipped(0, limit)
    video = video.with_audio(audio)
    video.write_videofile(
        str(out),
        fps=24,
        codec="libx264",
        audio_codec="aac",
        temp_audiofile_path=str(out.parent),
        logger=None,
    )
    video.close()
    audio.close()
    return limit


def _floor_stills(slides: Any, cues: Any, settings: Any, folder: Path) -> Path:
    """The same stills as ours (each state of each card, plus each caption state, with the
    karaoke word), one ffconcat list for the episode."""
    from PIL import Image

    from articast.pictures.style import get_style
    from articast.video import caption_states, compose_still

    fps = settings.fps
    style = get_style(settings.style)
    folder.mkdir(parents=True, exist_ok=True)
    entries = ["ffconcat version 1.0"]
    name = ""
    k = 0
    for s in slides.slides:
        with Image.open(s.image) as im:
            base = im.convert("RGB")
        frames = round(s.end * fps) - round(s.start * fps)
        _, states = caption_states(
            cues, s.start, s.end, fps, highlight_words=settings.karaoke
        )
        for st in states:
            last = min(st.last, frames)
            if last <= st.first:
                continue
            name = f"f{k:05d}.bmp"
            k += 1
            compose_still(base, st.lines, highlight=st.highlight, style=style).save(
                folder / name, "BMP"
            )
            entries += [f"file '{name}'", f"duration {(last - st.first) / fps:.6f}"]
    entries.append(f"file '{name}'")
    listing = folder / "stills.ffconcat"
    listing.write_text("\n".join(entries) + "\n")
    return listing


def _floor(listing: Path, master: Any, settings: Any, out: Path) -> None:
    from articast.media import run_ffmpeg

    run_ffmpeg(
        [
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            str(listing),
            "-i",
            str(master.wav),
            "-vf",
            f"format=yuv420p,fps={settings.fps}",
            "-c:v",
            "libx264",
            "-preset",
            settings.preset,
            "-tune",
            "stillimage",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-ar",
            "48000",
            "-ac",
            "2",
            "-shortest",
            "-movflags",
            "+faststart",
            str(out),
        ],
        what="floor render",
    )


# --------------------------------------------------------------------------- run


def _render_ours(ep: tuple[Any, ...], settings: Any, folder: Path) -> dict[str, Any]:
    from articast.captions import make_cues
    from articast.config import ShowConfig
    from articast.pictures.slides import make_slides
    from articast.video import render_video

    article, script, talk, master, _ = ep
    cache = folder / "cache"
    slides = make_slides(
        article,
        script,
        talk,
        master,
        ShowConfig(),
        settings,
        workdir=folder / "work",
        cache_root=cache,
    )
    cues = make_cues(master.sentences)
    secs, peak, result = _timed(
        lambda: render_video(
            slides,
            cues,
            master,
            settings,
            out_path=folder / "out" / "episode.mp4",
            workdir=folder / "work",
            cache_root=cache,
        )
    )
    return {
        "cpu": CPU["last"],
        "slides": slides,
        "cues": cues,
        "seconds": secs,
        "peak_mb": peak,
        "result": result,
        "cache": cache,
    }


def _whole_build(speech_cache: Path, out: Path) -> tuple[float, dict[str, Any]]:
    """``build_episode`` of the sample with its speech cached (everything else made anew)."""
    from articast.config import load_settings
    from articast.pipeline import build_episode

    s = load_settings(use_files=False).with_offline(True)
    # The voice that spoke the cached speech (``_sample_master``): nothing is synthesised.
    voice = dataclasses.replace(s.voice, voice="espeak:en-us")
    s = dataclasses.replace(s, out_dir=out, cache_dir=speech_cache, voice=voice)
    for stale in ("video", "master", "slides", "calibration"):
        shutil.rmtree(speech_cache / stale, ignore_errors=True)
    secs, _, result = _timed(lambda: build_episode(SAMPLE, s, update_feed=False))
    return secs, result.manifest


def run(
    *, naive_seconds: float | None = 10.0, long_minutes: float | None = None, motion: bool = True
) -> dict[str, Any]:
    """Render the sample three ways (plus optional zoom and long runs); return the figures."""
    from articast.config import VideoSettings
    from articast.video import render_video

    settings = VideoSettings()
    figures: dict[str, Any] = {
        "size": f"{settings.width}x{settings.height}",
        "fps": settings.fps,
        "preset": settings.preset,
        "cores": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory(prefix="bench-video-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            ep = _sample_master(tmp / "sample")
        except ImportError as exc:  # a stage is not there yet: say so, use the fake voice
            ep = _synthetic_master(tmp / "sample", 2.0)
            figures["note"] = f"sample stages unavailable ({exc}); used a synthetic episode"
        master = ep[3]
        duration = master.duration
        figures["episode"] = ep[4]
        figures["episode_seconds"] = round(duration, 2)

        ours = _render_ours(ep, settings, tmp / "ours")
        figures["ours_s"] = round(ours["seconds"], 2)
        figures["ours_rtf"] = round(ours["seconds"] / duration, 4)
        figures["ours_peak_mb"] = ours["peak_mb"]
        figures["ours_cpu_s"] = round(ours["cpu"], 2)
        # What a quiet 2-core machine would take: CPU seconds spread over the cores.
        figures["ours_cpu_rtf_per_core"] = round(ours["cpu"] / (os.cpu_count() or 1) / duration, 4)

        warm_s, _, warm = _timed(
            lambda: render_video(
                ours["slides"],
                ours["cues"],
                master,
                settings,
                out_path=tmp / "ours" / "out" / "again.mp4",
                workdir=tmp / "ours" / "work",
                cache_root=ours["cache"],
            )
        )
        figures["ours_warm_s"] = round(warm_s, 2)
        figures["ours_warm_rendered"] = list(warm.rendered_sections)

        listing = _floor_stills(ours["slides"], ours["cues"], settings, tmp / "floor")
        figures["distinct_stills"] = sum(
            1 for line in listing.read_text().splitlines() if line.startswith("file ")
        )
        floor_s, floor_peak, _ = _timed(
            lambda: _floor(listing, master, settings, tmp / "floor" / "floor.mp4")
        )
        figures["floor_s"] = round(floor_s, 2)
        figures["floor_rtf"] = round(floor_s / duration, 4)
        figures["floor_peak_mb"] = floor_peak
        figures["floor_cpu_s"] = round(CPU["last"], 2)
        shutil.rmtree(tmp / "floor", ignore_errors=True)

        # Before the naive moviepy run: the memory it leaves in this process would count.
        if motion:
            z = _render_ours(ep, dataclasses.replace(settings, motion=True), tmp / "motion")
            figures["motion_s"] = round(z["seconds"], 2)
            figures["motion_rtf"] = round(z["seconds"] / duration, 4)
            figures["motion_peak_mb"] = z["peak_mb"]
            figures["motion_over_ours"] = round(z["seconds"] / ours["seconds"], 2)
            figures["motion_over_floor"] = round(z["seconds"] / floor_s, 2)

        limit = duration if naive_seconds is None else min(naive_seconds, duration)
        naive_dir = tmp / "naive"
        naive_dir.mkdir()
        naive_s, naive_peak, _ = _timed(
            lambda: _naive(ours["slides"], ours["cues"], master, naive_dir / "naive.mp4", limit)
        )
        figures["naive_rendered_seconds"] = round(limit, 2)
        figures["naive_s"] = round(naive_s, 2)
        figures["naive_rtf"] = round(naive_s / limit, 4)
        figures["naive_peak_mb"] = naive_peak
        figures["naive_cpu_rtf"] = round(CPU["last"] / limit, 4)

        figures["speedup_vs_naive"] = round(figures["naive_rtf"] / figures["ours_rtf"], 1)
        figures["ours_over_floor"] = round(ours["seconds"] / floor_s, 2)
        figures["speedup_vs_naive_cpu"] = round(
            figures["naive_cpu_rtf"] / (ours["cpu"] / duration), 1
        )
        figures["ours_over_floor_cpu"] = round(ours["cpu"] / figures["floor_cpu_s"], 2)

        if ep[4].startswith("sample"):
            build_s, manifest = _whole_build(tmp / "sample" / "cache", tmp / "build")
            figures["build_s"] = round(build_s, 2)
            figures["build_stages_s"] = manifest["stages"]
            figures["build_synthesized"] = manifest["speech"]["synthesized"]
            figures["build_over_floor"] = round(build_s / floor_s, 2)

        if long_minutes:
            long_ep = _synthetic_master(tmp / "long", long_minutes)
            shutil.rmtree(tmp / "ours", ignore_errors=True)
            r = _render_ours(long_ep, settings, tmp / "long")
            figures["long_episode_seconds"] = round(long_ep[3].duration, 1)
            figures["long_s"] = round(r["seconds"], 1)
            figures["long_rtf"] = round(r["seconds"] / long_ep[3].duration, 4)
            figures["long_peak_mb"] = r["peak_mb"]

        figures["targets"] = {
            "video<=0.8x floor": figures["ours_over_floor"] <= 0.8,
            "build<=1.3x floor": figures.get("build_over_floor", 0) <= 1.3,
            ">=20x naive": figures["speedup_vs_naive"] >= 20,
            "peak<=1GB": figures["ours_peak_mb"] <= 1000 and figures.get("long_peak_mb", 0) <= 1000,
        }
    return figures


def run_long(minutes: float = 60.0) -> dict[str, Any]:
    """Only the long-episode run: time, real-time factor and peak memory of our render."""
    from articast.config import VideoSettings

    with tempfile.TemporaryDirectory(prefix="bench-video-long-") as tmp_name:
        tmp = Path(tmp_name)
        ep = _synthetic_master(tmp / "long", minutes)
        r = _render_ours(ep, VideoSettings(), tmp / "render")
        return {
            "long_episode_seconds": round(ep[3].duration, 1),
            "long_s": round(r["seconds"], 1),
            "long_rtf": round(r["seconds"] / ep[3].duration, 4),
            "long_cpu_s": round(r["cpu"], 1),
            "long_peak_mb": r["peak_mb"],
            "parts": len(r["slides"].slides),
            "cues": len(r["cues"]),
        }


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--long":
        print(json.dumps(run_long(float(sys.argv[2])), indent=2, default=str))
    else:
        print(json.dumps(run(), indent=2, default=str))
