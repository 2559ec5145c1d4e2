"""Cover art: square, 1400-3000 px, RGB, on the lead image when there is a usable one."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from articast.config import ShowConfig
from articast.errors import InputError
from articast.models import Article, ImageRef, Section, Talk
from articast.pictures.cover import cover_art, lead_image
from articast.pictures.style import STYLES

SHOW = ShowConfig(name="Articast Science")
TALK = Talk(url="https://www.youtube.com/watch?v=Xq3vN8sLk2E", video_id="Xq3vN8sLk2E")


def article(
    title: str = "Night Shift: How the Sleeping Brain Files Away the Day", *images: ImageRef
) -> Article:
    return Article(title=title, sections=(Section(None, ("Some text.",), tuple(images)),))


def red_image(path: Path, size: tuple[int, int] = (1600, 900), mode: str = "RGB") -> Path:
    colour = (200, 30, 30, 255)[: len(mode)] if mode != "P" else None
    if mode == "P":
        img = Image.new("RGB", size, (200, 30, 30)).convert("P")
    else:
        img = Image.new(mode, size, colour)  # type: ignore[arg-type]
    img.save(path)
    return path


def check_rules(path: Path) -> Image.Image:
    img = Image.open(path)
    img.load()
    assert img.mode == "RGB"
    assert img.width == img.height
    assert 1400 <= img.width <= 3000
    return img


def mean_rgb(img: Image.Image, box: tuple[int, int, int, int]) -> np.ndarray:
    return np.asarray(img.crop(box), dtype=np.float64).reshape(-1, 3).mean(axis=0)


def test_generated_cover_meets_the_rules(tmp_path: Path) -> None:
    out = cover_art(article(), TALK, SHOW, tmp_path / "cover.jpg")
    assert out == tmp_path / "cover.jpg"
    img = check_rules(out)
    assert img.format == "JPEG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cover.jpg"]  # no temp file left


def test_png_destination(tmp_path: Path) -> None:
    img = check_rules(cover_art(article(), None, SHOW, tmp_path / "cover.png"))
    assert img.format == "PNG"


def test_title_and_show_name_are_drawn(tmp_path: Path) -> None:
    a = check_rules(cover_art(article("First Title"), None, SHOW, tmp_path / "a.png"))
    b = check_rules(
        cover_art(article("Second, Much Longer Title Here"), None, SHOW, tmp_path / "b.png")
    )
    c = check_rules(
        cover_art(article("First Title"), None, ShowConfig(name="Other Show"), tmp_path / "c.png")
    )
    # The dark style: a near-white title, the show name in the accent colour.
    arr = np.asarray(a, dtype=np.int32)
    assert (arr[700:, :, :].min(axis=2) > 230).sum() > 2000  # title, lower half
    accent = np.array(STYLES["dark"].accent)
    assert (np.abs(arr[:300, :, :] - accent).max(axis=2) < 30).sum() > 500  # show name, top
    # Same seed (title) draws the same art; a different title or show changes the picture.
    bottom = (0, 1000, 1400, 1400)
    top = (0, 0, 1400, 300)
    assert not np.array_equal(np.asarray(a.crop(bottom)), np.asarray(b.crop(bottom)))
    assert not np.array_equal(np.asarray(a.crop(top)), np.asarray(c.crop(top)))
    assert np.array_equal(np.asarray(a.crop(bottom)), np.asarray(c.crop(bottom)))


def test_is_deterministic(tmp_path: Path) -> None:
    one = cover_art(article(), TALK, SHOW, tmp_path / "one.jpg").read_bytes()
    two = cover_art(article(), TALK, SHOW, tmp_path / "two.jpg").read_bytes()
    assert one == two


def test_built_on_the_lead_image(tmp_path: Path) -> None:
    lead = red_image(tmp_path / "lead.png")
    a = article("Title", ImageRef("lead.png", "a red picture", lead))
    assert lead_image(a) == lead
    img = check_rules(cover_art(a, TALK, SHOW, tmp_path / "cover.jpg"))
    r, g, b = mean_rgb(img, (100, 350, 1300, 600))  # the middle band is barely shaded
    assert r > 120 and r > 3 * g and r > 3 * b


@pytest.mark.parametrize("mode", ["RGBA", "P", "L"])
def test_lead_image_modes_become_rgb(tmp_path: Path, mode: str) -> None:
    lead = tmp_path / "lead.png"
    if mode == "L":
        Image.new("L", (800, 800), 128).save(lead)
    else:
        red_image(lead, (800, 800), mode)
    check_rules(
        cover_art(article("T", ImageRef("lead.png", "", lead)), None, SHOW, tmp_path / "c.jpg")
    )


@pytest.mark.parametrize("kind", ["missing", "garbage", "tiny", "no-path"])
def test_unusable_lead_image_falls_back_to_the_styled_cover(tmp_path: Path, kind: str) -> None:
    path: Path | None = tmp_path / "lead.png"
    assert path is not None
    if kind == "garbage":
        path.write_bytes(b"\x89PNG not really a picture")
    elif kind == "tiny":
        red_image(path, (120, 90))
    elif kind == "no-path":
        path = None
    a = article("Title", ImageRef("https://example.org/x.png", "", path))
    assert lead_image(a) is None
    img = check_rules(cover_art(a, None, SHOW, tmp_path / "cover.jpg"))
    r, g, b = mean_rgb(img, (100, 350, 1300, 600))
    assert not (r > 120 and r > 3 * g and r > 3 * b)  # not the red picture


def test_second_image_used_when_first_is_unusable(tmp_path: Path) -> None:
    good = red_image(tmp_path / "good.png")
    a = article(
        "T", ImageRef("missing.png", "", tmp_path / "missing.png"), ImageRef("good.png", "", good)
    )
    assert lead_image(a) == good


def test_show_artwork_is_cropped_square_and_kept_in_range(tmp_path: Path) -> None:
    own = red_image(tmp_path / "show.png", (3600, 2400), "RGBA")
    show = dataclasses.replace(SHOW, artwork=own)
    img = check_rules(cover_art(article(), TALK, show, tmp_path / "cover.jpg"))
    assert img.width == 2400
    small = red_image(tmp_path / "small.png", (1000, 800))
    img = check_rules(
        cover_art(article(), TALK, dataclasses.replace(SHOW, artwork=small), tmp_path / "c2.jpg")
    )
    assert img.width == 1400


def test_bad_requests_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.jpg or \.png"):
        cover_art(article(), None, SHOW, tmp_path / "cover.gif")
    with pytest.raises(InputError, match="outside"):
        cover_art(article(), None, SHOW, tmp_path / "cover.jpg", size=1000)
    broken = tmp_path / "show.jpg"
    broken.write_bytes(b"nope")
    with pytest.raises(InputError, match="not a readable image"):
        cover_art(article(), None, dataclasses.replace(SHOW, artwork=broken), tmp_path / "c.jpg")
    assert not (tmp_path / "c.jpg").exists()


def test_larger_size_and_empty_title(tmp_path: Path) -> None:
    img = check_rules(cover_art(article(" "), None, SHOW, tmp_path / "c.jpg", size=3000))
    assert img.width == 3000


def test_overlong_words_and_titles_stay_inside(tmp_path: Path) -> None:
    title = "https://example.org/" + "a-very-long-path-segment-" * 12 + " " + "word " * 200
    img = check_rules(cover_art(article(title), None, SHOW, tmp_path / "c.png"))
    arr = np.asarray(img, dtype=np.int32)
    margin = round(1400 * 0.08)
    # Nothing bright in the right margin: every line was wrapped or cut with an ellipsis.
    assert (arr[:, 1400 - margin + 10 :, :].min(axis=2) > 230).sum() == 0
