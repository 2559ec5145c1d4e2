"""Shared fixtures: isolated settings, sample articles, the user's seed article when present."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from articast.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "assets" / "sample"
SEED = ROOT.parent / "shared" / "seeds" / "000_b63b767e2abb3905.txt"
BROKEN_SAMPLE = SAMPLES / "sleep-and-memory.txt"

# Online clients must reach our local fake servers directly, never a proxy.
os.environ["NO_PROXY"] = "127.0.0.1,localhost"
os.environ["no_proxy"] = "127.0.0.1,localhost"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Defaults, no config file, offline, output and cache in tmp_path."""
    s = load_settings(use_files=False)
    s = dataclasses.replace(s, out_dir=tmp_path / "out", cache_dir=tmp_path / "cache")
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
