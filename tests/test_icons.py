"""Section icons: chosen by meaning from Lucide, resolved from names and aliases, drawn in colour.

Real Lucide database, real WordLlama embeddings, real resvg: nothing is mocked.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sqlite3
import subprocess
import sys

import lucide
import numpy as np
import pytest
from PIL import Image

from articast.errors import InputError
from articast.pictures.icons import (
    LICENCE_NOTE,
    choose_icon,
    icon_names,
    render_icon,
    resolve_icon,
)


@functools.cache
def _tags() -> dict[str, list[str]]:
    """Icon name -> its tags, read straight from python-lucide's database."""
    tags: dict[str, list[str]] = {}
    with contextlib.closing(sqlite3.connect(lucide.get_default_db_path())) as db:
        for name, tag in db.execute("SELECT name, tag FROM icon_tags"):
            tags.setdefault(name, []).append(tag)
    return tags


def _described_by(name: str) -> set[str]:
    """The words of an icon's name and tags (what a reader would call its meaning)."""
    labels = [name, *_tags().get(name, ())]
    return {w for label in labels for w in re.findall(r"[a-z]+", label.lower())}


# --------------------------------------------------------------------------- meaning

MEANINGS = [
    # (section text, words of which one must be in the chosen icon's name or tags)
    ("rain drop", {"rain", "droplet", "drop", "rainfall"}),
    ("election voting", {"vote", "ballot", "election", "poll"}),
    ("Why sleep matters for memory", {"moon", "bed", "brain", "sleep", "night"}),
    ("heart disease and blood pressure", {"heart", "pulse", "cardiac", "blood"}),
    ("Saving money for retirement", {"money", "savings", "coins", "bank", "wallet", "piggy"}),
    ("Jazz: piano and saxophone", {"music", "piano", "instrument", "audio", "guitar"}),
    ("Flights, airports and holidays abroad", {"plane", "airport", "flight", "travel"}),
    ("Train journeys across Europe", {"train", "railway", "tram", "travel"}),
    ("computer programming with Python", {"computer", "code", "laptop", "pc", "programming"}),
    ("quantum physics experiments in the lab", {"atom", "science", "physics", "lab", "flask"}),
    ("Weather forecast: snow storms this weekend", {"snow", "weather", "snowflake", "storm"}),
]


@pytest.mark.parametrize(("text", "expected"), MEANINGS, ids=[m[0] for m in MEANINGS])
def test_icon_is_chosen_by_meaning(text: str, expected: set[str]) -> None:
    name = choose_icon(text)
    assert name in icon_names()
    assert _described_by(name) & expected, f"{text!r} -> {name!r} ({sorted(_described_by(name))})"


def test_handshake_is_a_handshake_not_a_plaster() -> None:
    # The file name alone ("band-aid" is a tag of bandage) must not decide; the icon's own
    # name should win over icons that only mention it among their tags.
    assert choose_icon("handshake") == "handshake"


def test_icon_names_matching_the_text_are_preferred() -> None:
    assert choose_icon("Coffee") == "coffee"
    assert choose_icon("Building bridges") == "bridge"


def test_text_without_a_topic_gets_the_neutral_default() -> None:
    assert choose_icon("") == "file-text"
    assert choose_icon("  1234 -- 56! ") == "file-text"
    assert choose_icon("the of and") == "file-text"
    assert "file-text" in icon_names()


FOREIGN = [
    # Words the English embeddings only see in pieces: no guess (it was a worm, a perfume
    # bottle, a hiking stick).
    ("Dormir mieux : le sommeil et la mémoire", "fr", None),
    ("Cerveau et sommeil", "fr", None),
    ("Musik und Gehirn", "de", None),
    ("Die Sonne und der Mond", "de", None),
    ("Il sole e la luna", "it", None),
    # Words shared with English are matched by meaning.
    ("Der Computer und das Internet", "de", {"computer", "pc", "laptop", "monitor"}),
    ("La musique et le cerveau", "fr", {"music", "sound", "audio", "note"}),
    ("O cérebro e a música", "pt-br", {"music", "sound", "audio", "note"}),
]


@pytest.mark.parametrize(("text", "language", "expected"), FOREIGN, ids=[f[0] for f in FOREIGN])
def test_in_other_languages_an_icon_is_chosen_only_where_the_meaning_is_known(
    text: str, language: str, expected: set[str] | None
) -> None:
    name = choose_icon(text, language)
    if expected is None:
        assert name == "file-text", f"{text!r} -> {name!r}"
    else:
        assert _described_by(name) & expected, (
            f"{text!r} -> {name!r} ({sorted(_described_by(name))})"
        )
    # The same words read as English still get an icon (the English path is unchanged).
    assert choose_icon("Sleep better: memory and the brain", "en-gb") == choose_icon(
        "Sleep better: memory and the brain"
    )


def test_long_text_still_gives_an_icon_by_its_topic() -> None:
    text = "Rain and storms. " + "Clouds, drizzle, thunder, rainfall and wet weather. " * 60
    assert _described_by(choose_icon(text)) & {"rain", "weather", "cloud", "storm", "drizzle"}


# --------------------------------------------------------------------------- determinism


def test_same_text_gives_same_icon_in_this_and_another_process() -> None:
    phrases = ["Why sleep matters for memory", "The stock market and interest rates", "handshake"]
    here = [choose_icon(p) for p in phrases]
    assert here == [choose_icon(p) for p in phrases]
    code = (
        "from articast.pictures.icons import choose_icon\n"
        f"for p in {phrases!r}:\n"
        "    print(choose_icon(p))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == here


# --------------------------------------------------------------------------- names


def test_icon_names_are_the_icons_not_their_aliases() -> None:
    names = icon_names()
    assert isinstance(names, frozenset)
    assert len(names) > 1500
    assert {"vote", "handshake", "cloud-rain", "heart"} <= names
    assert "edit" not in names  # a former name of square-pen, kept only as an alias


def test_resolve_icon_accepts_names_aliases_and_loose_spelling() -> None:
    assert resolve_icon("vote") == "vote"
    assert resolve_icon("Cloud Rain") == "cloud-rain"
    assert resolve_icon("cloud_rain") == "cloud-rain"
    assert resolve_icon("edit") == "square-pen"  # alias -> current name
    assert resolve_icon("EDIT") == "square-pen"


def test_unknown_icon_suggests_close_names_on_one_line() -> None:
    with pytest.raises(InputError) as info:
        resolve_icon("rainn")
    message = str(info.value)
    assert "did you mean" in message
    assert "rainbow" in message
    assert "https://lucide.dev/icons" in message
    assert "\n" not in message


def test_unknown_name_with_a_newline_still_gives_one_line() -> None:
    with pytest.raises(InputError) as info:
        resolve_icon("no such\nicon at all")
    assert "\n" not in str(info.value)


def test_licence_note_credits_lucide() -> None:
    assert "Lucide" in LICENCE_NOTE
    assert "ISC" in LICENCE_NOTE
    assert "\n" not in LICENCE_NOTE


# --------------------------------------------------------------------------- drawing


def _opaque_rgb(img: Image.Image) -> np.ndarray:
    """The RGB values of the fully opaque pixels."""
    px = np.asarray(img)
    return px[px[..., 3] == 255][:, :3].astype(int)


def test_render_icon_is_transparent_with_strokes_in_the_colour() -> None:
    colour = (200, 30, 40)
    img = render_icon("heart", 96, colour)
    assert img.size == (96, 96)
    assert img.mode == "RGBA"
    for corner in [(0, 0), (95, 0), (0, 95), (95, 95)]:
        assert img.getpixel(corner)[3] == 0
    opaque = _opaque_rgb(img)
    assert len(opaque) > 50
    assert np.abs(opaque - np.array(colour)).max() <= 3


def test_render_icon_colours_and_stroke_change_the_pixels() -> None:
    red = np.asarray(render_icon("vote", 64, (220, 20, 20)))
    blue = np.asarray(render_icon("vote", 64, (20, 20, 220)))
    assert not np.array_equal(red, blue)
    assert np.array_equal(red[..., 3], blue[..., 3])  # same shape, other colour
    thin = np.asarray(render_icon("vote", 64, (220, 20, 20), stroke=1.0))
    thick = np.asarray(render_icon("vote", 64, (220, 20, 20), stroke=3.0))
    assert (thick[..., 3] > 0).sum() > (thin[..., 3] > 0).sum()


def test_render_icon_resolves_names_and_returns_a_copy() -> None:
    first = render_icon("Edit", 48, (255, 255, 255))
    assert first.size == (48, 48)
    first.paste((0, 0, 0, 255), (0, 0, 48, 48))  # a caller drawing on its picture
    again = render_icon("square-pen", 48, (255, 255, 255))
    assert again.getpixel((0, 0))[3] == 0
    with pytest.raises(InputError):
        render_icon("no-such-icon", 48, (255, 255, 255))
