"""Charts of an article's quantities (``pictures.charts``), drawn for real with Pillow and
measured in pixels: bar lengths, dot positions, text kept inside the picture, and tesseract
reading the words back."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from articast.pictures.charts import ChartKind, Quantity, draw_chart
from articast.pictures.style import STYLES, Style

TESSERACT = "/usr/bin/tesseract"
SIZES = [(820, 560), (960, 600), (300, 200), (1600, 1000)]

SHARES = [
    Quantity("Adults over 65", "40%", 40.0),
    Quantity("Teenagers", "12%", 12.0),
    Quantity("Working-age adults", "$3.5 million", 27.0),
]
YEARS = [
    Quantity("The first web browser is released", "1990", 1990.0),
    Quantity("Google is founded", "1998", 1998.0),
    Quantity("in 2019", "2019", 2019.0),
]


def pixels(img: Image.Image) -> np.ndarray:
    """The picture as an int array (height, width, 3)."""
    return np.asarray(img, dtype=np.int32)


def exact(img: Image.Image, colour: tuple[int, int, int]) -> np.ndarray:
    """Where the picture is exactly ``colour`` (height, width) booleans."""
    return np.asarray(np.all(pixels(img) == np.array(colour), axis=2), dtype=bool)


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """The (start, end) of each run of True in a 1-D array (end exclusive)."""
    padded = np.concatenate([[False], flags.astype(bool), [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def text_like(img: Image.Image, style: Style) -> np.ndarray:
    """Where the picture is nearer the style's text colour than its panel colour and the
    colours of the bars, dots and years."""
    px = pixels(img)
    to_text = np.abs(px - np.array(style.text)).sum(axis=2)
    nearest = to_text < np.abs(px - np.array(style.panel)).sum(axis=2)
    for other in {*style.chart, style.accent} - {style.text}:
        nearest &= to_text < np.abs(px - np.array(other)).sum(axis=2)
    return np.asarray(nearest, dtype=bool)


def solid(mask: np.ndarray, across: int = 4, down: int = 4) -> np.ndarray:
    """Pixels of ``mask`` with ``across`` pixels of ``mask`` left and right of them and
    ``down`` above and below: bars, not the thin strokes of text (the whiteboard's bars are the
    colour of its text)."""
    tall = mask.copy()
    for d in range(1, down + 1):
        tall[d:] &= mask[:-d]
        tall[:-d] &= mask[d:]
    out = tall.copy()
    for d in range(1, across + 1):
        out[:, d:] &= tall[:, :-d]
        out[:, :-d] &= tall[:, d:]
    return out


def bar_lengths(img: Image.Image, style: Style, across: int = 4) -> list[int]:
    """Length in pixels of each bar, top to bottom: the run of the bar colour through its
    middle row."""
    mask = exact(img, style.chart[0])
    core = solid(mask, across)
    lengths = []
    for top, bottom in runs(np.asarray(core.any(axis=1))):
        middle = (top + bottom) // 2
        first = int(np.flatnonzero(core[middle])[0])
        start, end = next((a, b) for a, b in runs(mask[middle]) if a <= first < b)
        lengths.append(end - start)
    return lengths


def dot_centres(img: Image.Image, style: Style) -> list[float]:
    """x of each dot's centre, left to right: accent runs along the timeline's line (the row
    with the most pixels of the rule colour)."""
    line_y = int(np.argmax(exact(img, style.rule).sum(axis=1)))
    return [(a + b - 1) / 2 for a, b in runs(exact(img, style.accent)[line_y])]


@pytest.mark.parametrize("style_name", sorted(STYLES))
@pytest.mark.parametrize("kind", ["bars", "timeline"])
def test_size_mode_and_corners(kind: ChartKind, style_name: str) -> None:
    style = STYLES[style_name]
    items = SHARES if kind == "bars" else YEARS
    for size in SIZES:
        img = draw_chart(kind, items, size, style, title="What the article counts")
        assert img.mode == "RGB"
        assert img.size == size
        w, h = size
        # A rounded panel over the card's ground: corners are the ground, the middle of the
        # edges is the panel.
        for corner in ((0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)):
            assert img.getpixel(corner) == style.background
        assert img.getpixel((w // 2, 0)) == style.panel
        assert img.getpixel((0, h // 2)) == style.panel


@pytest.mark.parametrize("style_name", sorted(STYLES))
def test_bar_lengths_are_proportional_to_values(style_name: str) -> None:
    style = STYLES[style_name]
    items = [
        Quantity("Small", "20", 20.0),
        Quantity("Medium", "40", 40.0),
        Quantity("Large", "80", 80.0),
    ]
    img = draw_chart("bars", items, (820, 560), style)
    small, medium, large = bar_lengths(img, style)
    assert large > 400  # the largest bar uses most of the width
    assert abs(medium - large / 2) <= 3
    assert abs(small - large / 4) <= 3


def test_bars_keep_order_and_tiny_values_stay_visible() -> None:
    style = STYLES["dark"]
    items = [
        Quantity("a", "1,000", 1000.0),
        Quantity("b", "0.5", 0.5),
        Quantity("c", "500", 500.0),
        Quantity("d", "-3", -3.0),  # clamped at zero: no bar, and no crash
    ]
    img = draw_chart("bars", items, (820, 560), style)
    lengths = bar_lengths(img, style, across=1)  # text is not the bars' colour here
    assert len(lengths) == 3
    big, tiny, half = lengths
    assert 3 <= tiny <= 10
    assert abs(half - big / 2) <= 3


def test_no_more_than_six_items_are_drawn() -> None:
    style = STYLES["paper"]
    items = [Quantity(f"group {i}", f"{i + 1}0%", (i + 1) * 10.0) for i in range(9)]
    bars = bar_lengths(draw_chart("bars", items, (820, 560), style), style)
    assert len(bars) == 6
    assert bars == sorted(bars)  # 10% ... 60%, in the given order
    dots = dot_centres(draw_chart("timeline", items, (820, 560), style), style)
    assert len(dots) == 6


@pytest.mark.parametrize("style_name", sorted(STYLES))
@pytest.mark.parametrize("count", [2, 4, 6])
def test_timeline_dots_are_evenly_spaced_left_to_right(style_name: str, count: int) -> None:
    style = STYLES[style_name]
    items = [Quantity(f"event {i}", str(1990 + 5 * i), 1990.0 + 5 * i) for i in range(count)]
    img = draw_chart("timeline", items, (960, 600), style, title="Milestones")
    xs = dot_centres(img, style)
    assert len(xs) == count
    steps = np.diff(xs)
    assert np.all(steps > 0)
    assert float(steps.max() - steps.min()) <= 2
    assert xs[0] < 960 / 2 < xs[-1]  # spread across the chart, not bunched


def test_fewer_than_two_items_is_an_error() -> None:
    style = STYLES["dark"]
    for kind in ("bars", "timeline"):
        with pytest.raises(ValueError, match="at least 2"):
            draw_chart(kind, [Quantity("alone", "1", 1.0)], (820, 560), style)
        with pytest.raises(ValueError):
            draw_chart(kind, [], (820, 560), style)


def test_same_input_same_pixels() -> None:
    style = STYLES["whiteboard"]
    for kind in ("bars", "timeline"):
        items = SHARES if kind == "bars" else YEARS
        a = draw_chart(kind, items, (820, 560), style, title="Twice")
        b = draw_chart(kind, items, (820, 560), style, title="Twice")
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("style_name", sorted(STYLES))
@pytest.mark.parametrize("kind", ["bars", "timeline"])
def test_long_text_never_leaves_the_picture(kind: ChartKind, style_name: str) -> None:
    style = STYLES[style_name]
    long_label = (
        "the share of households in the poorest tenth of the population that reported going "
        "without heating for at least one week during the winter of the survey year " * 3
    )
    items = [
        Quantity(long_label, "1,234,567,890,123 people", 10.0),
        Quantity("Pneumonoultramicroscopicsilicovolcanoconiosis" * 3, "2019", 2019.0),
        Quantity("short", "99.999999999999%", 5.0),
    ]
    for size in [(300, 200), (820, 560)]:
        img = draw_chart(kind, items, size, style, title=long_label)
        px = pixels(img)
        ring = np.concatenate(
            [
                px[:3].reshape(-1, 3),
                px[-3:].reshape(-1, 3),
                px[:, :3].reshape(-1, 3),
                px[:, -3:].reshape(-1, 3),
            ]
        )
        # The outermost pixels are the panel, the ground, or a blend of them at the corners.
        low = np.minimum(style.panel, style.background) - 1
        high = np.maximum(style.panel, style.background) + 1
        assert np.all((ring >= low) & (ring <= high)), f"text touches the border at {size}"
        # ...and the text was drawn (cut short), not dropped.
        assert text_like(img, style).sum() > 50


def test_labels_legible_with_six_bars() -> None:
    """At 820x560 with six bars, labels are still at least ~22 px (capital H over 15 px)."""
    style = STYLES["dark"]
    items = [Quantity("HHHH", f"{i}0%", float(i * 10 + 10)) for i in range(6)]
    img = draw_chart("bars", items, (820, 560), style, title="A title")
    inked = text_like(img, style)[:, :110]  # the labels' start, left of any number
    heights = [b - a for a, b in runs(np.asarray(inked.any(axis=1)))]
    assert len(heights) == 6, heights  # six labels, the bars not counted
    assert min(heights) >= 15, heights


def ocr_words(path: Path) -> list[tuple[str, int]]:
    """Words tesseract reads in the picture at ``path``, with the x of each word's centre."""
    out = subprocess.run(
        [TESSERACT, str(path), "-", "--psm", "11", "-l", "eng", "tsv"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    words = []
    for line in out.splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) == 12 and cols[11].strip():
            words.append((cols[11].strip(), int(cols[6]) + int(cols[8]) // 2))
    return words


needs_tesseract = pytest.mark.skipif(
    not Path(TESSERACT).is_file() or shutil.which(TESSERACT) is None,
    reason="tesseract is not installed",
)


@needs_tesseract
def test_ocr_reads_the_bars_labels_and_numbers(tmp_path: Path) -> None:
    items = [
        Quantity("Adults over 65", "40%", 40.0),
        Quantity("Teenagers", "12%", 12.0),
    ]
    path = tmp_path / "bars.png"
    draw_chart("bars", items, (820, 560), STYLES["dark"], title="Who listens").save(path)
    text = subprocess.run(
        [TESSERACT, str(path), "-", "--psm", "11", "-l", "eng"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert "Adults" in text
    assert "Teenagers" in text
    assert "40%" in text or "40" in text


@needs_tesseract
def test_ocr_reads_the_years_in_order_over_their_dots(tmp_path: Path) -> None:
    style = STYLES["paper"]
    items = [
        Quantity("Founded", "1990", 1990.0),
        Quantity("Listed", "2005", 2005.0),
        Quantity("Sold", "2019", 2019.0),
    ]
    img = draw_chart("timeline", items, (820, 560), style)
    path = tmp_path / "timeline.png"
    img.save(path)
    read = ocr_words(path)
    dots = dot_centres(img, style)
    for item, dot in zip(items, dots, strict=True):
        for word in (item.shown, item.label):
            xs = [x for w, x in read if w == word]
            assert xs, f"{word!r} not read in {read}"
            assert abs(xs[0] - dot) < 40  # above or below its own dot
