"""Video stage: Slides + caption cues + Master -> episode.mp4 (and thumbnail.png beside it).

Last rendering stage on the map (after ``visuals`` and ``captions``; ``publish`` follows)::

    slides, cues --> _composition.Scene   what is on screen when: a moviepy composition
                                          (ImageClips, caption clips, CompositeVideoClip,
                                          CrossFadeIn between parts, the end card easing in,
                                          an optional zoom and pan)
                 --> _h264                sampled once per still picture, every frame where
                                          something moves, piped to x264 as YUV; repeats
                                          are skipped pictures (_skip); a caption changing
                                          over a still slide is a strip of its own, the
                                          slide above it another (three x264s at once);
                                          chunks of raw H.264 cached by content; joined
                                          by stream copy
    Master.wav   --> _aac                 AAC-LC 48 kHz stereo, encoded in pieces (one per
                                          section, cached by content), spliced
    slides       --> pictures.overlay     caption patches (Pillow) and the thumbnail

Timing: a section's part starts ``SLIDE_LEAD`` (0.5 s) before its first word and fades in
over the previous part for ``VideoSettings.crossfade`` seconds; each chunk starts at a
caption's first word, and pictures are placed relative to that start, so an edit earlier in
the episode that shifts a chunk leaves its cached render valid. The join puts each chunk on
the episode's frame grid, so a caption change lands within 0.1 s of its word at 10 fps.
``render_pictures`` needs only the timeline (the pipeline runs it while the audio is
levelled); ``render_video`` adds the sound and writes the MP4.
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

from articast.cache import Cache, atomic_path
from articast.config import VideoSettings
from articast.errors import InputError, RenderError
from articast.media import ffmpeg_cmd, pipe_frames, probe_duration
from articast.models import Cue, Master, Slides, VideoResult
from articast.pictures.overlay import (
    CaptionState,
    caption_font_size,
    caption_patch,
    caption_states,
    compose_still,
    write_thumbnail,
)
from articast.video._aac import start_audio
from articast.video._composition import END_EASE, Mark, Run, Scene
from articast.video._h264 import (
    CHUNK_MIN,
    SLIDE_LEAD,
    Chunk,
    ProgressFn,
    _uncached_runs,
    cached_parts,
    encoder_args,
    paced_parts,
    part_bounds,
    plan_chunks,
    render_chunks,
)

__all__ = [
    "CHUNK_MIN",
    "END_EASE",
    "SLIDE_LEAD",
    "CaptionState",
    "Chunk",
    "Mark",
    "ProgressFn",
    "Run",
    "Scene",
    "caption_font_size",
    "caption_patch",
    "caption_states",
    "compose_still",
    "encoder_args",
    "part_bounds",
    "pictures_share",
    "plan_chunks",
    "render_pictures",
    "render_video",
]


def _check(slides: Slides, settings: VideoSettings) -> None:
    if not slides.slides:
        raise RenderError("no slides to render: the episode has no chapters; check the script")
    if settings.fps < 1:
        raise InputError(f"video fps must be at least 1, got {settings.fps}")


def render_pictures(
    slides: Slides,
    cues: tuple[Cue, ...],
    settings: VideoSettings,
    *,
    workdir: Path,
    cache_root: Path,
    progress: ProgressFn | None = None,
) -> tuple[str, ...]:
    """Encode every video chunk missing from the cache; the titles of the slides rendered.

    Needs only the timeline (slides and cues), not the master audio: the pipeline runs it
    while the audio is still being levelled, and hands the result to ``render_video``.
    """
    _check(slides, settings)
    workdir.mkdir(parents=True, exist_ok=True)
    scene, chunks = plan_chunks(slides, cues, settings)
    return render_chunks(
        scene,
        chunks,
        settings,
        workdir=workdir,
        cache=Cache(cache_root, "video"),
        progress=progress,
    )


def pictures_share(
    slides: Slides, cues: tuple[Cue, ...], settings: VideoSettings, *, cache_root: Path
) -> float:
    """The share of the video's encoded pictures that are not in the cache (0: all cached,
    1: a cold build): the pipeline lets the audio encodes run beside the pictures at a lower
    priority only when the pictures are the longer job (a quarter or more of them to render).
    In an edit that re-renders a few chunks the audio is the longest job, and was slowed by
    giving way to them."""
    _, chunks = plan_chunks(slides, cues, settings)
    cache = Cache(cache_root, "video")
    total = sum(chunk.encoded for chunk in chunks)
    todo = sum(chunk.encoded for run in _uncached_runs(chunks, cache) for chunk in run)
    return todo / total if total else 0.0


def render_video(
    slides: Slides,
    cues: tuple[Cue, ...],
    master: Master,
    settings: VideoSettings,
    *,
    out_path: Path,
    workdir: Path,
    cache_root: Path,
    progress: ProgressFn | None = None,
    pictures: Future[tuple[str, ...]] | None = None,
    audio_background: bool = True,
) -> VideoResult:
    """Render ``out_path`` (MP4) from the slides, the burned-in cues and the master audio.

    Chunks whose pictures are unchanged come from the cache; ``VideoResult.rendered_sections``
    names the slides with a chunk rendered in this run. ``pictures`` is a ``render_pictures``
    call already under way (its result is awaited while the audio encodes); without it the
    pictures are rendered here, beside the audio. ``audio_background``: the AAC encode runs
    at a lower priority than the pictures (``pictures_share`` says when they are the longer
    job). Also writes ``thumbnail.png`` beside ``out_path``.
    """
    _check(slides, settings)
    fps = settings.fps
    cache = Cache(cache_root, "video")
    workdir.mkdir(parents=True, exist_ok=True)
    audio, audio_job = start_audio(
        master.wav, cache, workdir, cuts=master.cuts, background=audio_background
    )
    try:
        # Made while the pictures and the sound encode (this thread would only wait).
        thumb = write_thumbnail(slides, out_path.parent / "thumbnail.png", cache)
        _, chunks = plan_chunks(slides, cues, settings)
        if pictures is None:
            rendered = render_pictures(
                slides, cues, settings, workdir=workdir, cache_root=cache_root, progress=progress
            )
        else:
            rendered = pictures.result()
        parts = cached_parts(chunks, cache, fps)
        audio_job.wait()
        with atomic_path(out_path) as tmp:
            # One raw H.264 stream on the episode's frame grid, fed to the muxer through a
            # pipe: every chunk cut to its frames at a delimiter (no re-encode, one input).
            cmd = ffmpeg_cmd(
                ["-framerate", str(fps), "-f", "h264", "-i", "-", "-f", "aac", "-i", str(audio),
                 "-map", "0:v:0", "-map", "1:a:0", "-c", "copy",
                 # Raw H.264 carries decoding times only; no B-frames, so show them then.
                 "-bsf:v", "setts=pts=DTS", "-movflags", "+faststart", "-use_editlist", "0",
                 # Interleave strictly by time, never by what the pipe happened to deliver
                 # first: the same streams then make the same file (reproducible builds).
                 "-max_interleave_delta", "0",
                 "-video_track_timescale", str(fps * 1000), "-f", "mp4", str(tmp)]
            )  # fmt: skip
            stream = paced_parts(parts, settings, cache=cache, workdir=workdir)
            pipe_frames(cmd, stream, "joining the video chunks")
    finally:
        # Only on failure: stop what still runs.
        audio_job.kill()
    return VideoResult(
        mp4=out_path,
        duration=probe_duration(out_path),
        rendered_sections=rendered,
        thumbnail=thumb,
    )
