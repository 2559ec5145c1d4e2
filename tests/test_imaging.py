"""The shared imaging helpers, and a phone photo upright on the cover, the slides and the
thumbnail (EXIF orientation 6: the sensor's pixels must be turned 90 degrees clockwise)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from articast.config import ShowConfig, VideoSettings
from articast.errors import RenderError
from articast.models import Article, ImageRef, Section
from articast.pictures.cover import cover_art
from articast.pictures.imaging import fit_text, font, load_rgb, open_image
from articast.pictures.slides import make_slides
from video_fixtures import fake_episode

RED = (200, 30, 30)
BLUE = (30, 30, 200)


def phone_photo(path: Path) -> Path:
    """A portrait photo (400x800: red top half, blue bottom half) stored as a phone does: the
    pixels lie sideways (800x400) and EXIF orientation 6 says how to turn them."""
    upright = Image.new("RGB", (400, 800), RED)
    upright.paste(BLUE, (0, 400, 400, 800))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # 90 degrees anticlockwise
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(path, "JPEG", quality=95, exif=exif.tobytes())
    with Image.open(path) as raw:
        assert raw.size == (800, 400)  # a reader that ignores EXIF sees it sideways
    return path


def redness(img: Image.Image, box: tuple[float, float, float, float]) -> float:
    """Mean red-minus-blue over ``box`` (fractions of the picture): > 0 red, < 0 blue."""
    w, h = img.size
    x0, y0, x1, y1 = box
    arr = np.asarray(img.convert("RGB").crop((round(x0 * w), round(y0 * h), round(x1 * w), round(y1 * h))), dtype=float)
    return float((arr[..., 0] - arr[..., 2]).mean())


def assert_upright(img: Image.Image, *, top: float = 0.1, bottom: float = 0.9) -> None:
    """Red above, blue below, on both the left and the right (sideways is red left, blue right)."""
    mid = (top + bottom) / 2
    quads = {
        "top-left": redness(img, (0.15, top, 0.45, mid - 0.08)),
        "top-right": redness(img, (0.55, top, 0.85, mid - 0.08)),
        "bottom-left": redness(img, (0.15, mid + 0.08, 0.45, bottom)),
        "bottom-right": redness(img, (0.55, mid + 0.08, 0.85, bottom)),
    }
    assert quads["top-left"] > 10 and quads["top-right"] > 10, quads
    assert quads["bottom-left"] < -10 and quads["bottom-right"] < -10, quads


def photo_area(img: Image.Image) -> Image.Image:
    """The part of ``img`` that shows the red-and-blue photo (its bounding box)."""
    arr = np.asarray(img.convert("RGB"), dtype=int)
    r, g, b = arr[..., 0], arr[..., 1], arr[..., 2]
    mask = ((r > 150) & (g < 90) & (b < 90)) | ((b > 150) & (r < 90) & (g < 90))
    ys, xs = np.nonzero(mask)
    assert len(xs) > 100, "the photo is not on the card"
    return img.crop((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1))


def test_open_image_turns_a_phone_photo_upright(tmp_path: Path) -> None:
    img = open_image(phone_photo(tmp_path / "photo.jpg"))
    assert img is not None and img.size == (400, 800) and img.mode == "RGB"
    assert_upright(img, top=0.0, bottom=1.0)
    # The shorter side is judged upright too, and limits are checked before decoding.
    assert open_image(tmp_path / "photo.jpg", min_side=401) is None
    assert open_image(tmp_path / "photo.jpg", max_pixels=800 * 400 - 1) is None


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "L", "CMYK"])
def test_open_image_gives_rgb_for_every_mode(tmp_path: Path, mode: str) -> None:
    path = tmp_path / ("p.jpg" if mode == "CMYK" else "p.png")
    Image.new("RGB", (64, 32), RED).convert(mode).save(path)
    img = open_image(path)
    assert img is not None and img.mode == "RGB" and img.size == (64, 32)


def test_open_image_refuses_what_is_not_a_picture(tmp_path: Path) -> None:
    bad = tmp_path / "x.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot a png")
    assert open_image(bad) is None
    assert open_image(tmp_path / "missing.png") is None
    assert open_image(None) is None
    with pytest.raises(RenderError, match="cannot read the slide"):
        load_rgb(bad, what="slide")


def test_fit_text_never_exceeds_the_box() -> None:
    f, lines = fit_text("Slow waves and spindles", 400, 2, 80, 20)
    assert 20 <= f.size <= 80 and all(f.getlength(line) <= 400 for line in lines)
    f, lines = fit_text("https://example.org/" + "x" * 300, 200, 2, 40, 12)
    assert f.size == 12 and lines[-1].endswith("…") and all(f.getlength(x) <= 200 for x in lines)
    f, lines = fit_text("word " * 400, 300, 3, 40, 12)
    assert len(lines) <= 3 and lines[-1].endswith("…")
    assert fit_text("", 100, 2, 20, 10)[1] == ()
    assert font(30) is font(30)


def test_phone_photo_is_upright_on_cover_slides_and_thumbnail(tmp_path: Path) -> None:
    photo = phone_photo(tmp_path / "phone.jpg")
    article = Article("Phone photo", (Section(None, ("Text.",), (ImageRef("phone.jpg", "", photo),)),))
    cover = cover_art(article, None, ShowConfig(), tmp_path / "cover.jpg")
    with Image.open(cover) as im:
        # Cropped square a little above the middle: the red-blue edge lands at 60 % height;
        # the show name is at the very top and the title at the very bottom.
        assert_upright(im, top=0.2, bottom=0.78)

    episode_article, script, talk, master = fake_episode(tmp_path / "ep", section_image=photo)
    slides = make_slides(
        episode_article,
        script,
        talk,
        master,
        ShowConfig(),
        VideoSettings(width=640, height=360),
        workdir=tmp_path / "work",
        cache_root=tmp_path / "cache",
    )
    title_card, section_card = slides.slides[0], slides.slides[1]
    assert title_card.kind == "title" and section_card.kind == "section"
    with Image.open(title_card.image) as im:
        assert_upright(im)
    with Image.open(section_card.image) as im:
        # The section's picture sits in the panel beside the key points: check it there.
        assert_upright(photo_area(im))
    assert slides.thumbnail is not None
    with Image.open(slides.thumbnail) as im:
        assert im.size == (1280, 720)
        assert_upright(im)


@pytest.mark.parametrize("text", ["Café Über Niño façade", "Доклад о сне", "Ελλάδα και θάλασσα"])
def test_accents_greek_and_cyrillic_are_drawn_not_boxed(text: str) -> None:
    """Pillow's bundled Aileron has only ASCII: "Café" came out as "Caf▯" on covers, cards and
    captions. The font chosen for a text draws each of its letters as itself."""
    from articast.pictures.imaging import font

    f = font(40, text)
    tofu = bytes(f.getmask("\U0010fffd"))
    for ch in set(text) - {" "}:
        assert bytes(f.getmask(ch)) != tofu, ch
    # the same face for plain English text, so one card never mixes two designs
    assert getattr(font(40, "Hello"), "path", None) == getattr(f, "path", None)
