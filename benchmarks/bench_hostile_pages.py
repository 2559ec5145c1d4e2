"""Ingest time on pages built to be slow: thousands of small boxes, deep nesting, mojibake,
unclosed formatting tags.

Run by ``make bench`` (``run()``) or alone: ``python benchmarks/bench_hostile_pages.py [N]``
(N boxes per page, default 20000; about 1-2 MB of HTML). trafilatura's jusText fallback is
quadratic in paragraphs: before articast skipped it on pages of more than
``articast.ingest._libs.FAST_ABOVE`` block elements, the first page below took 411 s.
"""

from __future__ import annotations

import sys
import time

from articast.ingest._html import extract_html
from articast.ingest._source import repair_mojibake


def pages(n: int) -> dict[str, str]:
    head = "<html><body><h1>Hostile</h1>"
    return {
        "related_boxes": head
        + "<div id='related-work' class='related'><h2>Related work</h2><p>text here and more</p></div>"
        * n,
        "boxes_with_buttons": head + "<div><button></button><p>words words words</p></div>" * n,
        "nested_divs": head + "<div class='related'>" * 3000 + "<p>x y z</p>" + "</div>" * 3000,
        "bold_runs": head + "<p><strong>Deadline: March</strong></p>" * n,
        # a heading in each box of shop links (each one looks for the text after it) and
        # boxes sharing a furniture class (judged as a group, their parts with them)
        "shop_boxes": head
        + "<div><h3>Best pick</h3><a href='/a'>buy it now at the shop</a></div><p>a b</p>" * n,
        "widget_rows": head
        + "<div class='product-widget'><h3>Name</h3><p class='product-widget__text'>"
        "one two three four five six</p></div>" * n,
        # a feed of linked story titles after the article (each a card of the "read next" tail)
        "story_feed": head
        + "<p>" + "The harbour lamps were lit by hand every evening. " * 40 + "</p>"
        + "".join(f"<h3><a href='/story-{k}'>Story {k}</a></h3>" for k in range(n)),
        # unclosed formatting that HTML5 reopens in every paragraph (read with lxml alone)
        "reopened_formatting": head
        + "".join(f"<p><b><i><u><s>paragraph {k} words</p>" for k in range(n)),
    }


def run(n: int = 20000) -> dict[str, object]:
    figures: dict[str, object] = {"boxes": n}
    for name, page in pages(n).items():
        t0 = time.perf_counter()
        extract_html(page)
        figures[f"{name}_s"] = round(time.perf_counter() - t0, 2)
        figures[f"{name}_mb"] = round(len(page) / 1e6, 2)
    text = "<p>cafÃ© Itâ€™s</p>\n" * n
    t0 = time.perf_counter()
    repair_mojibake(text, [])
    figures["mojibake_lines_s"] = round(time.perf_counter() - t0, 2)
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 20000), indent=2))
