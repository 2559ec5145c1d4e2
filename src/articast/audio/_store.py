"""The master cache of the audio stage (private): a finished master kept by content."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from articast.cache import Cache, content_key
from articast.config import AudioSettings, ShowConfig
from articast.models import (
    Article,
    Chapter,
    Master,
    Piece,
    Sentence,
    Speech,
    Talk,
    TimedSentence,
    TimedWord,
)

# --------------------------------------------------------------------------- the master cache


def master_key(
    speech: Speech,
    talk: Talk | None,
    article: Article,
    show: ShowConfig,
    settings: AudioSettings,
    cover: Path | None,
) -> str:
    """Hash of everything that changes episode.mp3: the voiced audio and words, the chapter
    layout, the tags (article, talk, show, cover, today's date) and the audio settings."""
    h = hashlib.sha256()
    for seg in speech.segments:
        s = seg.segment
        h.update(
            json.dumps([s.kind, s.title, s.mentions_talk, s.section_index, s.paragraph_ends]).encode()
        )
        # the display forms ride on the stored timeline (captions and pages read them)
        h.update(json.dumps([dataclasses.astuple(f) for f in s.forms]).encode())
        for u in seg.utterances:
            h.update(hashlib.sha256(u.pcm).digest())
            h.update(json.dumps([u.text, u.sample_rate, [dataclasses.astuple(w) for w in u.words]]).encode())
    tag_facts = [
        article.title,
        article.language,
        article.source,
        article.source_url,
        dataclasses.astuple(talk) if talk is not None else None,
        dataclasses.astuple(show),
        hashlib.sha256(cover.read_bytes()).hexdigest() if cover is not None else None,
        _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d"),
    ]
    music = settings.music_file
    music_hash = hashlib.sha256(music.read_bytes()).hexdigest() if music and music.is_file() else None
    return content_key("master-v3", h.hexdigest(), tag_facts, dataclasses.asdict(settings), music_hash)


def _master_json(master: Master) -> dict[str, Any]:
    return {
        "duration": master.duration,
        "chapters": [dataclasses.asdict(c) for c in master.chapters],
        "sentences": [dataclasses.asdict(s) for s in master.sentences],
        "loudness_lufs": master.loudness_lufs,
        "true_peak_dbtp": master.true_peak_dbtp,
        "premaster_lufs": master.premaster_lufs,
        "cuts": list(master.cuts),
    }


def store_master(key: str, master: Master, cache_root: Path) -> None:
    """Keep a finished master (MP3, chapters.json, WAV, timeline) under ``key``."""
    files = {
        "data.json": json.dumps(_master_json(master)).encode("utf-8"),
        "episode.mp3": master.mp3.read_bytes(),
        "chapters.json": (master.mp3.parent / "chapters.json").read_bytes(),
    }
    # the master WAV (about 1 GB for 3 hours) is copied on disk, never read into memory
    Cache(cache_root, "master").put(key, files, copies={"master.wav": master.wav})


def load_master(key: str, cache_root: Path, *, out_dir: Path, workdir: Path) -> Master | None:
    """A cached master copied into ``out_dir`` (MP3, chapters.json) and ``workdir`` (WAV)."""
    cache = Cache(cache_root, "master")
    data = cache.get_json(key)
    mp3, chapters, wav = (cache.path(key, n) for n in ("episode.mp3", "chapters.json", "master.wav"))
    if not isinstance(data, dict) or mp3 is None or chapters is None or wav is None:
        return None
    try:
        master = Master(
            mp3=out_dir / "episode.mp3",
            wav=workdir / "master.wav",
            duration=float(data["duration"]),
            chapters=tuple(Chapter(**c) for c in data["chapters"]),
            sentences=tuple(
                TimedSentence(
                    text=s["text"],
                    start=s["start"],
                    end=s["end"],
                    segment_index=s["segment_index"],
                    words=tuple(TimedWord(**w) for w in s["words"]),
                    form=(
                        Sentence(tuple(Piece(**p) for p in s["form"]["pieces"]))
                        if s.get("form")
                        else None
                    ),
                )
                for s in data["sentences"]
            ),
            loudness_lufs=data["loudness_lufs"],
            true_peak_dbtp=data["true_peak_dbtp"],
            premaster_lufs=data["premaster_lufs"],
            cuts=tuple(int(j) for j in data.get("cuts", ())),
        )
    except (KeyError, TypeError, ValueError):
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(mp3, master.mp3)
    shutil.copyfile(chapters, out_dir / "chapters.json")
    shutil.copyfile(wav, master.wav)
    return master

