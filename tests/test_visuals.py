"""Visuals: title card, section illustrations, end card with a decodable QR code, thumbnail."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from articast.config import ShowConfig, VideoSettings
from articast.errors import InputError
from articast.models import Talk
from articast.pictures.slides import caption_band, make_slides, talk_link
from video_fixtures import TALK_URL, fake_episode


def decode_qr(img: Image.Image) -> list[str]:
    return [
        r.text for r in zxingcpp.read_barcodes(img) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


def test_slides_cover_the_episode_one_per_chapter(tmp_path: Path) -> None:
    article, script, talk, master = fake_episode(tmp_path / "ep")
    slides = make_slides(
        article,
        script,
        talk,
        master,
        ShowConfig(),
        VideoSettings(),
        workdir=tmp_path / "work",
        cache_root=tmp_path / "cache",
    )
    kinds = [s.kind for s in slides.slides]
    # A section has one slide per state of its card (a point revealed, a number up...).
    assert kinds[0] == "title" and kinds[-1] == "end" and set(kinds[1:-1]) == {"section"}
    titles = [s.title for s in slides.slides]
    assert [t for i, t in enumerate(titles) if i == 0 or t != titles[i - 1]] == [
        c.title for c in master.chapters
    ]
    for ch in master.chapters[1:]:
        assert any(s.start == pytest.approx(ch.start) for s in slides.slides), ch.title
    assert slides.slides[0].start == 0.0
    assert slides.slides[-1].end == pytest.approx(master.duration)
    for a, b in zip(slides.slides, slides.slides[1:], strict=False):
        assert a.end == pytest.approx(b.start)
    for s in slides.slides:
        with Image.open(s.image) as im:
            assert im.size == (1920, 1080)
        # The video's cache knows a slide by what it shows: its PNG's hash.
        assert s.key == "png:" + hashlib.sha256(s.image.read_bytes()).hexdigest()
    assert len({s.key for s in slides.slides}) == len(slides.slides)
    assert slides.thumbnail is not None
    with Image.open(slides.thumbnail) as im:
        assert im.size == (1280, 720)


def test_end_card_qr_decodes_to_the_talk_url_with_start_time(tmp_path: Path) -> None:
    article, script, talk, master = fake_episode(tmp_path / "ep")
    for w, h in ((1920, 1080), (1080, 1920)):
        slides = make_slides(
            article,
            script,
            talk,
            master,
            ShowConfig(),
            VideoSettings(width=w, height=h),
            workdir=tmp_path / "work",
            cache_root=tmp_path / "cache",
        )
        end = slides.slides[-1]
        with Image.open(end.image) as im:
            assert im.size == (w, h)
            assert decode_qr(im.convert("RGB")) == [TALK_URL]
            # The QR stays clear of the caption band, so burned captions never cover it.
            top, bottom = caption_band((w, h))
            band = im.convert("RGB").crop((0, top, w, bottom))
            assert decode_qr(im.convert("RGB").crop((0, 0, w, top))) == [TALK_URL]
            assert band.size[1] > 0


def test_talk_link_adds_the_start_time_once() -> None:
    talk = Talk("https://www.youtube.com/watch?v=YLRWoMVNEq8", "YLRWoMVNEq8", start=42)
    assert talk_link(talk) == "https://www.youtube.com/watch?v=YLRWoMVNEq8&t=42s"
    already = dataclasses.replace(talk, url=TALK_URL, start=95)
    assert talk_link(already) == TALK_URL
    assert talk_link(dataclasses.replace(talk, start=None)) == talk.url


def test_end_card_without_a_talk_thanks_the_listener(tmp_path: Path) -> None:
    article, script, _talk, master = fake_episode(tmp_path / "ep")
    article = dataclasses.replace(article, source_url="https://example.org/night-shift")
    slides = make_slides(
        article,
        script,
        None,
        master,
        ShowConfig(),
        VideoSettings(width=640, height=360),
        workdir=tmp_path / "work",
        cache_root=tmp_path / "cache",
    )
    with Image.open(slides.slides[-1].image) as im:
        assert decode_qr(im.convert("RGB").resize((1280, 720))) == [
            "https://example.org/night-shift"
        ]


def test_section_uses_its_own_image_when_usable(tmp_path: Path) -> None:
    photo = tmp_path / "figure.png"
    Image.new("RGB", (800, 600), (0, 200, 0)).save(photo)
    article, script, talk, master = fake_episode(tmp_path / "ep", section_image=photo)
    slides = make_slides(
        article,
        script,
        talk,
        master,
        ShowConfig(),
        VideoSettings(),
        workdir=tmp_path / "work",
        cache_root=tmp_path / "cache",
    )
    first = {}
    for s in slides.slides:
        first.setdefault(s.title, s)
    sections = [first[c.title] for c in master.chapters[1:-1]]
    # The picture fills the panel beside the key points (right half, above the captions).
    with Image.open(sections[0].image) as im:
        centre = np.asarray(im.convert("RGB").crop((1380, 450, 1480, 550)), dtype=float)
    assert np.abs(centre - np.array([0, 200, 0])).mean() < 4
    # The second section has no image: its icon, not the photo.
    with Image.open(sections[1].image) as im:
        centre = np.asarray(im.convert("RGB").crop((1380, 450, 1480, 550)), dtype=float)
    assert np.abs(centre - np.array([0, 200, 0])).mean() > 40


@pytest.mark.parametrize("bad", ["tiny", "corrupt", "missing"])
def test_unusable_section_image_falls_back_to_the_icon_card(tmp_path: Path, bad: str) -> None:
    photo = tmp_path / "figure.png"
    if bad == "tiny":
        Image.new("RGB", (40, 30), (0, 200, 0)).save(photo)
    elif bad == "corrupt":
        photo.write_bytes(b"\x89PNG\r\n\x1a\nnot really a png")
    article, script, talk, master = fake_episode(tmp_path / "ep", section_image=photo)
    plain_article, *_ = fake_episode(tmp_path / "ep2")
    a = make_slides(
        article,
        script,
        talk,
        master,
        ShowConfig(),
        VideoSettings(width=640, height=360),
        workdir=tmp_path / "w1",
        cache_root=tmp_path / "cache",
    )
    b = make_slides(
        plain_article,
        script,
        talk,
        master,
        ShowConfig(),
        VideoSettings(width=640, height=360),
        workdir=tmp_path / "w2",
        cache_root=tmp_path / "cache2",
    )
    assert a.slides[1].image.read_bytes() == b.slides[1].image.read_bytes()


def test_slides_are_cached_by_content(tmp_path: Path) -> None:
    article, script, talk, master = fake_episode(tmp_path / "ep")
    vs = VideoSettings(width=640, height=360)
    first = make_slides(
        article,
        script,
        talk,
        master,
        ShowConfig(),
        vs,
        workdir=tmp_path / "w",
        cache_root=tmp_path / "cache",
    )
    stamp = {s.image: s.image.stat().st_mtime_ns for s in first.slides}
    again = make_slides(
        article,
        script,
        talk,
        master,
        ShowConfig(),
        vs,
        workdir=tmp_path / "w",
        cache_root=tmp_path / "cache",
    )
    assert [s.key for s in again.slides] == [s.key for s in first.slides]
    assert {s.image: s.image.stat().st_mtime_ns for s in again.slides} == stamp
    retitled = make_slides(
        article,
        script,
        talk,
        master,
        ShowConfig(name="Other Show"),
        vs,
        workdir=tmp_path / "w",
        cache_root=tmp_path / "cache",
    )
    assert retitled.slides[0].key != first.slides[0].key
    assert retitled.slides[1].key == first.slides[1].key


@pytest.mark.parametrize("size", [(1921, 1080), (100, 100)])
def test_unusable_video_size_is_an_input_error(tmp_path: Path, size: tuple[int, int]) -> None:
    article, script, talk, master = fake_episode(tmp_path / "ep")
    # The settings themselves refuse it, before any picture is drawn.
    with pytest.raises(InputError, match=r"\[video\] width = \d+ is not allowed"):
        make_slides(
            article,
            script,
            talk,
            master,
            ShowConfig(),
            VideoSettings(width=size[0], height=size[1]),
            workdir=tmp_path / "w",
            cache_root=tmp_path / "cache",
        )


def test_long_titles_fit_the_frame(tmp_path: Path) -> None:
    article, script, talk, master = fake_episode(tmp_path / "ep")
    long_title = " ".join(["Extraordinarily"] * 40)
    script = dataclasses.replace(script, title=long_title)
    talk = dataclasses.replace(talk, title=long_title)
    slides = make_slides(
        article,
        script,
        talk,
        master,
        ShowConfig(),
        VideoSettings(width=640, height=360),
        workdir=tmp_path / "w",
        cache_root=tmp_path / "cache",
    )
    with Image.open(slides.slides[-1].image) as im:
        assert decode_qr(im.convert("RGB").resize((1280, 720))) == [TALK_URL]
