"""Tags of the audio stage (private): ID3v2.4 frames with CHAP/CTOC chapters, and Podcasting
2.0 JSON chapters."""

from __future__ import annotations

import datetime as _dt
import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from articast.config import ShowConfig
from articast.errors import RenderError
from articast.lang import get_language, iso639_2
from articast.models import Article, Chapter, Talk


def _article_link(article: Article) -> str | None:
    if article.source_url:
        return article.source_url
    if article.source.startswith(("http://", "https://")):
        return article.source
    return None


def _tag(
    mp3: Path,
    chapters: Sequence[Chapter],
    article: Article,
    talk: Talk | None,
    show: ShowConfig,
    cover: Path | None,
) -> None:
    """Write the ID3v2.4 tag: text frames, links, cover, CHAP per chapter and a CTOC."""
    # mutagen's frame classes are untyped: use the module as Any rather than silence each call.
    id3: Any = importlib.import_module("mutagen.id3")

    tags = id3.ID3()
    tags.add(id3.TIT2(encoding=3, text=[article.title]))
    tags.add(id3.TPE1(encoding=3, text=[show.name]))
    tags.add(id3.TALB(encoding=3, text=[show.name]))
    tags.add(id3.TDRC(encoding=3, text=[_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d")]))
    tags.add(id3.TCON(encoding=3, text=["Podcast"]))
    language = get_language(article.language)
    tags.add(id3.TLAN(encoding=3, text=[iso639_2(article.language)]))
    link = _article_link(article)
    lines = [language.labels.read_by.format(title=article.title, show=show.name)]
    if link:
        lines.append(f"{language.labels.the_article}: {link}")
        tags.add(id3.WOAR(url=link))
    if talk is not None:
        name = talk.title or talk.link_text
        said = language.labels.the_talk
        lines.append(f"{said}: {name} {talk.url}" if name else f"{said}: {talk.url}")
        tags.add(id3.WXXX(encoding=3, desc="Talk", url=talk.url))
    tags.add(id3.COMM(encoding=3, lang=language.iso639_2, desc="", text=["\n".join(lines)]))
    if cover is not None:
        mime = "image/png" if cover.suffix.lower() == ".png" else "image/jpeg"
        tags.add(id3.APIC(encoding=3, mime=mime, type=3, desc="Cover", data=cover.read_bytes()))
    ids = [f"chp{i}" for i in range(len(chapters))]
    for cid, ch in zip(ids, chapters, strict=True):
        subs: list[object] = [id3.TIT2(encoding=3, text=[ch.title])]
        if ch.url:
            subs.append(id3.WXXX(encoding=3, desc="Talk", url=ch.url))
        tags.add(
            id3.CHAP(
                element_id=cid,
                start_time=round(ch.start * 1000),
                end_time=round(ch.end * 1000),
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=subs,
            )
        )
    tags.add(
        id3.CTOC(
            element_id="toc",
            flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[id3.TIT2(encoding=3, text=["Chapters"])],
        )
    )
    mutagen: Any = importlib.import_module("mutagen")
    try:
        tags.save(str(mp3), v2_version=4)
    except (OSError, mutagen.MutagenError) as exc:
        raise RenderError(f"cannot write the ID3 tags of {mp3.name}: {exc}") from exc


def chapters_json(chapters: Sequence[Chapter]) -> dict[str, object]:
    """Podcasting 2.0 JSON chapters (version 1.2.0) for ``chapters``."""
    items: list[dict[str, object]] = []
    for i, ch in enumerate(chapters):
        item: dict[str, object] = {
            "startTime": 0 if i == 0 else round(ch.start, 3),
            "endTime": round(ch.end, 3),
            "title": ch.title,
        }
        if ch.url:
            item["url"] = ch.url
        items.append(item)
    return {"version": "1.2.0", "chapters": items}


