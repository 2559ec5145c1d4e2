"""Shared fixtures: isolated settings, sample articles, the user's seed article when present."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

import pytest

from articast.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "assets" / "sample"
SEED = Path(
    os.environ.get("ARTICAST_SEED")  # a worktree elsewhere names the seed article here
    or ROOT.parent / "shared" / "seeds" / "000_b63b767e2abb3905.txt"
)
BROKEN_SAMPLE = SAMPLES / "sleep-and-memory.txt"

# Prepared voice models go to a folder of this test session, not the machine's own cache.
_MODELS = tempfile.TemporaryDirectory(prefix="articast-test-models-")
os.environ["ARTICAST_MODEL_CACHE"] = _MODELS.name

# Online clients must reach our local fake servers directly, never a proxy.
os.environ["NO_PROXY"] = "127.0.0.1,localhost"
os.environ["no_proxy"] = "127.0.0.1,localhost"


FAST_VOICE = "espeak:en-us"
"""The voice tests speak with unless they test another: the default neural voice is real-time
work on two cores, so only its own tests (tests/test_voices_joe.py) use it."""


def podcast_settings(root: Path) -> Settings:
    """Offline, espeak, no video (the MP3 and the manifest only), output and cache under root."""
    s = load_settings(use_files=False)
    return dataclasses.replace(
        s,
        out_dir=root / "out",
        cache_dir=root / "cache",
        voice=dataclasses.replace(s.voice, voice=FAST_VOICE),
        video=dataclasses.replace(s.video, enabled=False),
    ).with_offline(True)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Defaults, no config file, offline, output and cache in tmp_path; the fast espeak voice."""
    s = load_settings(use_files=False)
    s = dataclasses.replace(
        s,
        out_dir=tmp_path / "out",
        cache_dir=tmp_path / "cache",
        voice=dataclasses.replace(s.voice, voice=FAST_VOICE),
    )
    return s.with_offline(True)


@pytest.fixture
def fast_settings(settings: Settings) -> Settings:
    """Like ``settings`` with the fake voice and a small video: for quick pipeline tests."""
    return dataclasses.replace(
        settings,
        voice=dataclasses.replace(settings.voice, voice="fake:tone"),
        video=dataclasses.replace(settings.video, width=640, height=360),
    )


@pytest.fixture
def broken_sample() -> Path:
    """Our own article with the user's faults (HTML in a .txt, split tags, cut-off end)."""
    return BROKEN_SAMPLE


@pytest.fixture
def seed_article() -> Path:
    """The user's own article; tests that need it skip where ../shared is absent."""
    if not SEED.is_file():
        pytest.skip("the user's seed article (../shared/seeds) is not present")
    return SEED


@pytest.fixture
def fake_google():  # yields fake_google.FakeGoogle
    """A local fake of Google's TTS endpoint (tests/fake_google.py); use ``.url`` as gtts_url."""
    from fake_google import FakeGoogle

    with FakeGoogle() as server:
        yield server


# --------------------------------------------------------------------------- talk (issue 8)


@pytest.fixture
def import_talk_fixture(tmp_path_factory: pytest.TempPathFactory):  # -> (Path) -> Talk
    """Import the fixture talk for YLRWoMVNEq8 into a cache root, through the real yt-dlp code.

    Call it with ``settings.cache_root`` before a build; the build then resolves the talk
    (offline too) with ``talk_fixtures.TALK_TITLE``, ``TALK_CHANNEL`` and a cached thumbnail.
    """
    from articast.models import Talk
    from talk_fixtures import import_fixture_talk

    def run(cache_root: Path) -> Talk:
        return import_fixture_talk(cache_root, tmp_path_factory.mktemp("talk-fixture"))

    return run
