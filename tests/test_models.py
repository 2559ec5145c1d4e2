"""The typed manifest (``models.Episode``): the keys of episode.json, old manifests, bad ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from articast.models import (
    Chapter,
    Episode,
    EpisodeFiles,
    EpisodeSection,
    EpisodeSentence,
    EpisodeShow,
    LoudnessStats,
    ManifestError,
    SpeechStats,
    Talk,
    TalkChapter,
    TalkLink,
    TimedWord,
    VideoStats,
)

#: The keys users' scripts read from episode.json: they must not change.
TOP_KEYS = [
    "schema", "articast_version", "title", "slug", "guid", "pub_date", "created", "updated",
    "voice", "requested_voice", "fallback_used", "duration", "language", "source", "source_url",
    "kind", "content_hash", "source_id", "settings_hash", "script_edited", "summary", "show", "chapters",
    "sections", "sentences", "talk", "talks", "warnings", "stages", "speech", "loudness", "video",
    "files", "build_seconds", "style",
]  # fmt: skip


def full_episode() -> Episode:
    return Episode(
        articast_version="0.1.0",
        title="Night Shift",
        slug="night-shift",
        guid="6f0b0e1e-0000-5000-8000-000000000001",
        pub_date="Tue, 03 Nov 2026 09:30:00 +0000",
        created="2026-11-03T09:30:00+00:00",
        updated="2026-11-04T10:00:00+00:00",
        voice="espeak:en-us",
        requested_voice="gtts:en",
        fallback_used=True,
        duration=42.5,
        source="inbox/night.html",
        source_url="https://example.org/night",
        kind="html",
        content_hash="a" * 64,
        settings_hash="b" * 16,
        summary="Why the sleeping brain replays the day.",
        show=EpisodeShow("Night Science", "Ada"),
        chapters=(
            Chapter("Introduction", 0.0, 10.0),
            Chapter("Outro", 10.0, 42.5, "https://youtu.be/x"),
        ),
        sections=(
            EpisodeSection("Introduction", 0.0, 10.0, "intro"),
            EpisodeSection("Outro", 10.0, 42.5, "outro"),
        ),
        sentences=(
            EpisodeSentence(
                "Hello there.",
                0.5,
                1.7,
                0,
                spoken="Hello there.",
                words=(TimedWord("Hello", 0.5, 1.0), TimedWord("there.", 1.0, 1.7)),
            ),
        ),
        talk=Talk(
            url="https://www.youtube.com/watch?v=Xq3vN8sLk2E&t=95s",
            video_id="Xq3vN8sLk2E",
            start=95,
            title="The sleeping brain",
            duration=3600.0,
            thumbnail=Path("/cache/talk/thumb.jpg"),
            chapters=(TalkChapter("Start", 0.0),),
            fetched=True,
        ),
        talks=(TalkLink("https://www.youtube.com/watch?v=Xq3vN8sLk2E&t=95s", "Xq3vN8sLk2E", 95),),
        warnings=("an image is missing",),
        stages={"ingest": 0.1, "voices": 2.0},
        speech=SpeechStats(3, 1, {"Introduction": "engine"}),
        loudness=LoudnessStats(-21.0, -16.1, -1.4),
        video=VideoStats(("Introduction",)),
        files=EpisodeFiles(video="episode.mp4", thumbnail="thumbnail.png"),
        build_seconds=12.5,
    )


def test_to_json_keeps_the_manifest_keys_and_round_trips() -> None:
    ep = full_episode()
    data = json.loads(json.dumps(ep.to_json()))
    assert list(data) == TOP_KEYS
    assert data["talk"]["thumbnail"] == "/cache/talk/thumb.jpg"
    assert data["chapters"][1] == {
        "title": "Outro",
        "start": 10.0,
        "end": 42.5,
        "url": "https://youtu.be/x",
    }
    assert data["sections"][0] == {
        "title": "Introduction",
        "start": 0.0,
        "end": 10.0,
        "kind": "intro",
        "visuals": [],
    }
    assert data["sentences"][0] == {
        "text": "Hello there.",
        "start": 0.5,
        "end": 1.7,
        "segment": 0,
        "spoken": "Hello there.",
        "words": [
            {"text": "Hello", "start": 0.5, "end": 1.0},
            {"text": "there.", "start": 1.0, "end": 1.7},
        ],
    }
    assert data["talks"][0] == {"url": ep.talks[0].url, "video_id": "Xq3vN8sLk2E", "start": 95}
    assert data["speech"] == {"synthesized": 3, "cached": 1, "timing": {"Introduction": "engine"}}
    assert set(data["loudness"]) == {"premaster_lufs", "integrated_lufs", "true_peak_dbtp"}
    assert data["video"] == {"rendered_sections": ["Introduction"]}
    assert Episode.from_json(data) == ep


def test_files_not_made_are_left_out_and_stay_out() -> None:
    podcast_only = EpisodeFiles(cover="cover.png")
    ep = Episode(files=podcast_only)
    files = ep.to_json()["files"]
    assert "video" not in files and "thumbnail" not in files and files["cover"] == "cover.png"
    again = Episode.from_json(ep.to_json())
    assert again.files.video is None and again.files.names() == podcast_only.names()


def test_an_older_manifest_still_loads() -> None:
    """No schema, no files, no speech or loudness figures, ints for floats: defaults fill in."""
    old = {
        "title": "Sleep and memory",
        "slug": "sleep-and-memory",
        "duration": 40,
        "chapters": [{"title": "Intro", "start": 0, "end": 40}],
        "talk": {"url": "https://www.youtube.com/watch?v=abcdefghijk", "video_id": "abcdefghijk"},
        "warnings": [],
        "some_future_key": {"ignored": True},
    }
    ep = Episode.from_json(old)
    assert ep.title == "Sleep and memory" and ep.duration == 40.0
    assert ep.chapters == (Chapter("Intro", 0.0, 40.0, None),)
    assert ep.talk is not None and ep.talk.title is None and not ep.talk.fetched
    assert ep.files == EpisodeFiles.standard()  # the oldest manifests listed no files
    assert ep.speech.synthesized == 0 and ep.build_seconds is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"duration": "long"}, "duration must be a number"),
        (
            {"chapters": [{"title": "A", "start": "0", "end": 1}]},
            r"chapters\[0\]\.start must be a number",
        ),
        ({"talk": {"url": "https://youtu.be/x"}}, "talk has no 'video_id'"),
        (
            {"sections": [{"title": "A", "start": 0, "end": 1, "kind": "chapter"}]},
            r"sections\[0\]\.kind must be one of",
        ),
        (
            {"files": {"audio": "/etc/passwd"}},
            "files.audio must be a file name inside the episode folder",
        ),
        ({"schema": 99}, "newer than this articast reads"),
        ([1, 2], "not a JSON object"),
    ],
)
def test_a_bad_manifest_names_what_is_wrong(data: object, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        Episode.from_json(data)
