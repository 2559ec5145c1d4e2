"""The orchestrator: a whole episode through every stage, reruns, atomic publishing."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import socket
import time
from pathlib import Path

import pytest

from articast.config import Settings
from articast.errors import InputError
from articast.media import probe_duration, probe_info
from articast.models import Episode
from articast.pipeline import build_episode, cleanup_leftovers, settings_hash, write_script
from articast.slug import slugify

EPISODE_FILES = {
    "episode.mp3",
    "episode.mp4",
    "script.md",
    "episode.json",
    "chapters.json",
    "captions.srt",
    "captions.vtt",
    "thumbnail.png",
    "description.txt",
    "shownotes.html",
    "index.html",
}


def test_fast_episode_has_every_file_and_a_truthful_manifest(
    fast_settings: Settings, broken_sample: Path
) -> None:
    result = build_episode(broken_sample, fast_settings)
    folder = result.folder
    assert folder == fast_settings.out_dir / "night-shift-how-the-sleeping-brain-files-away-the-day"
    names = {p.name for p in folder.iterdir()}
    assert names >= EPISODE_FILES, EPISODE_FILES - names
    assert any(n.startswith("cover.") for n in names)
    assert not any(n.startswith(".") for n in names), names

    m = json.loads((folder / "episode.json").read_text())
    assert Episode.from_json(m) == result.episode  # the file holds exactly the typed manifest
    assert result.manifest == m  # the README's library example: result.manifest["duration"]
    assert m["title"] == "Night Shift: How the Sleeping Brain Files Away the Day"
    assert m["slug"] == folder.name
    assert m["voice"] == "fake:tone"
    assert m["talk"]["url"] == "https://www.youtube.com/watch?v=Xq3vN8sLk2E&t=95s"
    kinds = [s["kind"] for s in m["sections"]]
    assert kinds == ["intro", "section", "section", "section", "section", "outro"]
    assert [s["title"] for s in m["sections"]][2:5] == [
        "Slow Waves and Spindles: The Hardware of Overnight Memory",
        "From Hippocampus to Cortex: Rewriting the Archive",
        "When Sleep Goes Wrong: Insomnia, PTSD and Memory",
    ]
    assert set(m["stages"]) >= {"ingest", "narrate", "voices", "audio", "video", "publish"}
    assert all(v >= 0 for v in m["stages"].values())
    assert len(m["content_hash"]) == 64
    assert any("missing-sleep-diagram.png" in w for w in m["warnings"])
    assert any("mid-sentence" in w for w in m["warnings"])
    # the sections tile the episode
    assert m["sections"][0]["start"] == 0
    assert abs(m["sections"][-1]["end"] - m["duration"]) < 0.05

    mp3 = probe_duration(folder / "episode.mp3")
    mp4 = probe_duration(folder / "episode.mp4")
    assert abs(mp3 - m["duration"]) < 0.2
    assert abs(mp3 - mp4) < 0.5
    info = probe_info(folder / "episode.mp4")
    assert re.search(r"Video: h264 \(High\)", info), info
    assert re.search(r"Audio: aac \(LC\).*48000 Hz, stereo", info), info
    assert (fast_settings.out_dir / "feed.xml").is_file()


def test_rerun_synthesises_nothing_and_keeps_guid(fast_settings: Settings, broken_sample: Path) -> None:
    first = build_episode(broken_sample, fast_settings)
    first_mp3 = (first.folder / "episode.mp3").read_bytes()
    second = build_episode(broken_sample, fast_settings)
    # the master is reused: no encode, the same bytes, the same loudness figures
    assert "encode" in first.episode.stages
    assert "encode" not in second.episode.stages
    assert (second.folder / "episode.mp3").read_bytes() == first_mp3
    assert second.episode.loudness == first.episode.loudness
    assert second.episode.video.rendered_sections == ()
    assert first.episode.speech.synthesized > 0
    assert second.episode.speech.synthesized == 0
    assert second.episode.speech.cached == first.episode.speech.synthesized
    assert second.episode.guid == first.episode.guid
    assert second.episode.pub_date == first.episode.pub_date
    leftovers = [p.name for p in fast_settings.out_dir.iterdir() if ".building-" in p.name or ".old-" in p.name]
    assert leftovers == []


def test_failed_build_leaves_no_episode_and_keeps_the_old_one(
    fast_settings: Settings, broken_sample: Path
) -> None:
    ok = build_episode(broken_sample, dataclasses.replace(
        fast_settings, video=dataclasses.replace(fast_settings.video, enabled=False)))
    before = (ok.folder / "episode.mp3").read_bytes()
    bad = dataclasses.replace(
        fast_settings, voice=dataclasses.replace(fast_settings.voice, voice="nosuch:voice")
    )
    with pytest.raises(InputError, match="unknown voice backend"):
        build_episode(broken_sample, bad)
    assert (ok.folder / "episode.mp3").read_bytes() == before
    hidden = [p.name for p in fast_settings.out_dir.iterdir() if p.name.startswith(".") and p.name != ".cache"]
    assert hidden == []


def test_cleanup_restores_interrupted_swap_and_removes_dead_builds(tmp_path: Path) -> None:
    host = socket.gethostname()
    dead = 2**22 + 12345  # above pid_max on Linux: never alive
    building = tmp_path / f".ep.building-{host}-{dead}-abc123"
    building.mkdir()
    (building / "episode.mp3").write_bytes(b"partial")
    old = tmp_path / f".ep2.old-{host}-{dead}-def456"
    old.mkdir()
    (old / "episode.json").write_text("{}")
    mine = tmp_path / f".ep3.building-{host}-{os.getppid()}-aaaaaa"
    mine.mkdir()
    done = cleanup_leftovers(tmp_path)
    assert not building.exists()
    assert (tmp_path / "ep2" / "episode.json").is_file()
    assert mine.exists()  # its owner (our parent process) is alive
    assert any("restored ep2" in d for d in done)


def test_settings_hash_ignores_where_output_goes(settings: Settings) -> None:
    moved = dataclasses.replace(settings, out_dir=Path("/elsewhere"))
    louder = dataclasses.replace(settings, audio=dataclasses.replace(settings.audio, target_lufs=-14))
    assert settings_hash(settings) == settings_hash(moved)
    assert settings_hash(settings) != settings_hash(louder)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Unlocking the Brain’s Potential: Exploring the Neurological Impact of Ketamine",
         "unlocking-the-brains-potential-exploring-the-neurological"),
        ("The Brain's Own Metronome", "the-brains-own-metronome"),
        ("../../etc/passwd", "etc-passwd"),
        ("Café Ünïcode — ok?", "cafe-unicode-ok"),
        ("!!!", "episode-e84c538e"),
        ("", "episode"),
        ("Привет мир", "privet-mir"),
        ("a" * 80, "a" * 60),
    ],
)
def test_slug_is_safe(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert len(slug) <= 60 and "/" not in slug


def test_cleanup_spares_cluster_workers_and_fresh_temp_files(tmp_path: Path) -> None:
    fresh = tmp_path / ".ep.building-otherhost-123-abcdef"
    fresh.mkdir()
    stale = tmp_path / ".ep2.building-otherhost-456-abcdef"
    stale.mkdir()
    day_ago = time.time() - 24 * 3600
    os.utime(stale, (day_ago, day_ago))
    tmp_file = tmp_path / ".feed.xml.abc.tmp"
    tmp_file.write_text("in progress")
    old_tmp = tmp_path / ".index.html.def.tmp"
    old_tmp.write_text("left over")
    os.utime(old_tmp, (day_ago, day_ago))
    cleanup_leftovers(tmp_path)
    assert fresh.exists()  # another host's build may still be running
    assert not stale.exists()
    assert tmp_file.exists() and not old_tmp.exists()


def test_a_build_finishes_an_interrupted_swap_first(fast_settings: Settings, broken_sample: Path) -> None:
    s = dataclasses.replace(fast_settings, video=dataclasses.replace(fast_settings.video, enabled=False))
    first = build_episode(broken_sample, s)
    # killed between the two renames of the swap: only the moved-aside folder is left
    dead = 2**22 + 999
    aside = first.folder.with_name(f".{first.folder.name}.old-{socket.gethostname()}-{dead}-abc123")
    os.replace(first.folder, aside)
    second = build_episode(broken_sample, s)
    assert second.episode.guid == first.episode.guid
    assert second.episode.pub_date == first.episode.pub_date
    assert not aside.exists()


def test_write_script_is_the_script_an_episode_voices(
    fast_settings: Settings, broken_sample: Path
) -> None:
    """The library call behind 'articast script': ingest, talk and narrate as a build runs them,
    keeping the talk's warnings."""
    s = dataclasses.replace(fast_settings, video=dataclasses.replace(fast_settings.video, enabled=False))
    written = write_script(broken_sample, s)
    assert written.path.name == "script.md" and written.path.parent.parent == s.out_dir
    assert any("could not be fetched" in w for w in written.narrated.warnings)  # the talk's
    assert any("missing-sleep-diagram.png" in w for w in written.warnings)  # the article's
    text = written.path.read_text(encoding="utf-8")
    built = build_episode(broken_sample, s)
    assert built.folder == written.path.parent
    assert (built.folder / "script.md").read_text(encoding="utf-8") == text
