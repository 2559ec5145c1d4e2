"""Ingest quality, side by side: articast, trafilatura and readability-lxml on real pages.

Run by ``make bench`` (through ``run()``) or alone: ``make bench-ingest`` /
``python benchmarks/bench_ingest.py [--corpus DIR] [--pages] [--only articast]``.

Two sets of pages:

* **fixtures**: our own pages under ``tests/fixtures/ingest`` (gold marked with ``data-gold``),
  always present;
* **corpus**: real public pages kept outside the repository (``$ARTICAST_INGEST_CORPUS``, else
  ``../_corpus/pages`` beside the checkout): each ``NAME.html`` with a ``NAME.json`` holding
  ``{"text": gold main text, "headings": [gold headings], "source", "shape"}``. Skipped with a
  note when absent.

Measures (the same for every tool): bag-of-words text F1 of the extracted text (without the
title) against the gold text, and heading recall (gold headings found among the tool's headings,
normalised to lower-case words). Library results are cached beside the corpus by page hash.
For articast, each ingest rule (``articast ingest --rules``): the pages and times it acted,
the words it dropped and the share of them in the gold text, and its effect on the mean page
F1 (as extracted minus with what it dropped put back).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"
FIXTURE_PAGES = [
    "news.html",
    "blog.html",
    "docs.html",
    "embed.html",
    "noheadings.html",
    "legacy.html",
    "magazine.html",
    "inline-junk.html",
    "handbook.html",
    "longform.html",
    "split-body.html",
    "many-sections.html",
    "widgets.html",
    "docs-controls.html",
    "credits.html",
    "mdbook.html",
    "reference-header.html",
    "streamed.html",
    "wiki.html",
    "code-tabs.html",
    "roundup.html",
    "shop-boxes.html",
    "heading-runs.html",
    "hero-title.html",
    "unclosed-header.html",
    "unclosed-aside.html",
    "early-html-end.html",
    "paper.html",
    "menu-cards.html",
    "read-next.html",
    "body-then-faq.html",
    "comment-form.html",
    "faq-accordion.html",
    "front-page.html",
    "wiki-nested.html",
    "docs-anchors.html",
    "lazy-figures.html",
    "wiki-lists.html",
]
TOOLS = ("articast", "trafilatura", "readability")


def corpus_dir() -> Path:
    """Where the outside corpus lives (it may not exist)."""
    env = os.environ.get("ARTICAST_INGEST_CORPUS")
    return Path(env) if env else ROOT.parent / "_corpus" / "pages"


def _tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def prf(found: str, gold: str) -> tuple[float, float, float]:
    """Bag-of-words (precision, recall, F1) of ``found`` against ``gold``."""
    f, g = _tokens(found), _tokens(gold)
    common = sum((f & g).values())
    if not common:
        return 0.0, 0.0, 0.0
    p = common / sum(f.values())
    r = common / sum(g.values())
    return p, r, 2 * p * r / (p + r)


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def heading_hits(found: list[str], gold: list[str]) -> int:
    """How many gold headings appear (normalised) among the found ones."""
    have = {_norm(h) for h in found}
    return sum(1 for h in gold if _norm(h) in have)


def heading_right(found: list[str], gold: list[str]) -> int:
    """How many of the found headings the page has (normalised; a merged "A: B" counts when
    each part is one of the page's)."""
    want = {_norm(h) for h in gold}
    return sum(
        1
        for h in found
        if _norm(h) in want or all(_norm(p) in want for p in h.split(": "))
    )


# -- the three tools --------------------------------------------------------------------------
RULE_LOGS: dict[Path, Any] = {}
"""What articast's ingest rules did to each page (``articast.ingest.explaining``)."""
TITLES: dict[Path, list[str]] = {}
"""articast's section titles per page, as made (for heading precision)."""


def with_articast(path: Path) -> tuple[str, list[str]]:
    """articast's text (section titles and paragraphs) and headings."""
    from articast.config import IngestSettings
    from articast.ingest import explaining, load_article

    with explaining() as log:
        a = load_article(path, IngestSettings(allow_network=False))
    RULE_LOGS[path] = log
    parts: list[str] = []
    heads: list[str] = []
    for s in a.sections:
        if s.title and not re.fullmatch(r"Part \d+", s.title):
            parts.append(s.title)
            heads.append(s.title)
            # A merged empty heading reads "Parent: Child"; both parts were found.
            parts_ = [t.strip() for t in s.title.split(": ")]
            # Every run of consecutive parts, so "1) A: B" in "1) A: B: Overview" counts too.
            heads.extend(
                ": ".join(parts_[i:j])
                for i in range(len(parts_))
                for j in range(i + 1, len(parts_) + 1)
            )
        parts.extend(s.paragraphs)
    TITLES[path] = [s.title for s in a.sections if s.title and not re.fullmatch(r"Part \d+", s.title)]
    return "\n".join(parts), heads


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def with_trafilatura(path: Path) -> tuple[str, list[str]]:
    """trafilatura's text and headings (Markdown output with formatting)."""
    import trafilatura

    out: Any = trafilatura.extract(
        _read(path),
        output_format="markdown",
        include_formatting=True,
        include_comments=False,
        include_tables=True,
    )
    text = out or ""
    heads = [ln.lstrip("#").strip() for ln in text.splitlines() if ln.startswith("#")]
    return re.sub(r"[#*_|`-]+", " ", text), heads


def with_readability(path: Path) -> tuple[str, list[str]]:
    """readability-lxml's summary text and headings (its h1 removed: that is the title)."""
    import lxml.html
    from readability import Document

    summary = Document(_read(path)).summary(html_partial=True)
    root = lxml.html.fromstring(summary)
    for el in root.xpath(".//h1"):
        el.getparent().remove(el)
    heads = [" ".join(h.itertext()).strip() for h in root.xpath(".//h2|.//h3|.//h4|.//h5|.//h6")]
    return " ".join(root.itertext()), heads


RUNNERS = {"articast": with_articast, "trafilatura": with_trafilatura, "readability": with_readability}


# -- gold -------------------------------------------------------------------------------------
def fixture_gold(path: Path) -> tuple[str, list[str]]:
    """Gold text and headings of one of our fixtures (``data-gold`` minus ``data-noise``)."""
    import lxml.html
    from selectolax.lexbor import LexborHTMLParser

    # The gold is what a browser shows: its tree, not libxml2's (which cannot close an open
    # <div> at </aside> and stops reading at an early </html>).
    root = lxml.html.fromstring(LexborHTMLParser(path.read_text(encoding="utf-8")).html or "")

    golds = root.xpath("//*[@data-gold]")
    main = golds[0]
    for extra in golds[1:]:
        main.append(extra)
    for el in main.xpath(".//*[@data-noise] | .//h1 | .//script | .//style"):
        el.drop_tree()  # its tail is the page's text ("<a>#</a> Troubleshooting")
    # A heading that is all of its list item (<li><h3>hemp</h3></li>) is an item of a list.
    heads = [
        " ".join(h.itertext()).replace("¶", "").strip()
        for h in main.xpath(".//h2 | .//h3 | .//h4 | .//h5 | .//h6")
        if not (h.getparent() is not None and h.getparent().tag == "li" and len(h.getparent()) == 1)
    ]
    return " ".join(main.itertext()).replace("¶", ""), heads


def pages() -> list[tuple[str, str, Path, str, list[str]]]:
    """(set, shape, path, gold text, gold headings) for every page available."""
    out: list[tuple[str, str, Path, str, list[str]]] = []
    for name in FIXTURE_PAGES:
        path = FIXTURES / name
        if path.exists():
            text, heads = fixture_gold(path)
            out.append(("fixtures", "own", path, text, heads))
    corpus = corpus_dir()
    if corpus.is_dir():
        for gold_path in sorted(corpus.glob("*.json")):
            html = gold_path.with_suffix(".html")
            if html.exists():
                g = json.loads(gold_path.read_text(encoding="utf-8"))
                out.append(("corpus", g.get("shape", "?"), html, g["text"], list(g["headings"])))
    return out


# -- scoring ----------------------------------------------------------------------------------
def _lib_cache() -> tuple[Path | None, dict[str, Any]]:
    corpus = corpus_dir()
    if not corpus.is_dir():
        return None, {}
    path = corpus.parent / "library-cache.json"
    try:
        return path, json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return path, {}


def _versions() -> str:
    from importlib.metadata import version

    return f"trafilatura {version('trafilatura')}, readability-lxml {version('readability-lxml')}"


def score_all(tools: tuple[str, ...] = TOOLS, verbose: bool = False) -> dict[str, Any]:
    """Per-page and summary scores for every tool on every available page."""
    cache_path, cache = _lib_cache()
    versions = _versions()
    rows: list[dict[str, Any]] = []
    for set_name, shape, path, gold_text, gold_heads in pages():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        row: dict[str, Any] = {"set": set_name, "page": path.name, "shape": shape,
                               "gold_words": len(re.findall(r"\w+", gold_text)),
                               "gold_headings": len(gold_heads)}
        for tool in tools:
            key = f"{tool}|{versions}|{digest}"
            if tool != "articast" and key in cache:
                text, heads = cache[key]
            else:
                try:
                    text, heads = RUNNERS[tool](path)
                except Exception as exc:
                    text, heads = "", []
                    row[f"{tool}_error"] = f"{type(exc).__name__}: {exc}"[:120]
                if tool != "articast":
                    cache[key] = [text, heads]
            p, r, f = prf(text, gold_text)
            made = TITLES.get(path, []) if tool == "articast" else heads
            row[tool] = {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3),
                         "heads": heading_hits(heads, gold_heads),
                         "made": len(made), "right": heading_right(made, gold_heads)}
            if tool == "articast":
                row["rules"] = _rule_effects(RULE_LOGS.get(path, []), text, gold_text, f)
        if verbose:
            print(_page_line(row, tools), flush=True)
        rows.append(row)
    if cache_path is not None:
        cache_path.write_text(json.dumps(cache), encoding="utf-8")
    summary: dict[str, Any] = {}
    for set_name in ("fixtures", "corpus", "all"):
        chosen = [r for r in rows if set_name in ("all", r["set"])]
        if not chosen:
            continue
        total_heads = sum(r["gold_headings"] for r in chosen)
        per_tool: dict[str, Any] = {}
        for tool in tools:
            f1s = [r[tool]["f1"] for r in chosen]
            per_tool[tool] = {
                "text_f1": round(sum(f1s) / len(f1s), 3),
                "text_precision": round(sum(r[tool]["p"] for r in chosen) / len(chosen), 3),
                "text_recall": round(sum(r[tool]["r"] for r in chosen) / len(chosen), 3),
                "heading_recall": round(sum(r[tool]["heads"] for r in chosen) / total_heads, 3)
                if total_heads
                else 1.0,
                "heading_precision": round(
                    sum(r[tool]["right"] for r in chosen) / max(1, sum(r[tool]["made"] for r in chosen)), 3
                ),
                "min_f1": round(min(f1s), 3),
                "pages_under_0.80": sum(1 for f in f1s if f < 0.80),
            }
        summary[set_name] = {"pages": len(chosen), "gold_headings": total_heads, **per_tool}
        if "articast" in tools:
            summary[set_name]["rules"] = _rule_summary(chosen)
    return {"versions": versions, "corpus": str(corpus_dir()), "summary": summary, "pages": rows}


def _rule_effects(log: list[Any], text: str, gold: str, f1: float) -> dict[str, Any]:
    """Per rule on one page: how often it acted, the words it dropped, how many of those the
    gold text has, and its effect on the page's F1 (F1 as extracted minus F1 with what it
    dropped put back: above 0 it gains, below 0 it costs)."""
    gold_words = _tokens(gold)
    out: dict[str, Any] = {}
    for name in dict.fromkeys(n.rule for n in log):
        mine = [n for n in log if n.rule == name]
        dropped = " ".join(n.full for n in mine if n.action == "dropped")
        words = _tokens(dropped)
        back = prf(f"{text}\n{dropped}", gold)[2] if dropped else f1
        out[name] = {
            "fires": len(mine),
            "words": sum(words.values()),
            "gold_words": sum((words & gold_words).values()),
            "f1_effect": round(f1 - back, 4),
        }
    return out


def _rule_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per rule over ``rows``: pages it acted on, times, words dropped, the share of them in
    the gold text, and its effect on the mean page F1."""
    out: dict[str, Any] = {}
    for row in rows:
        for name, e in row.get("rules", {}).items():
            s = out.setdefault(name, {"pages": 0, "fires": 0, "words": 0, "gold_words": 0,
                                      "f1_effect": 0.0})  # fmt: skip
            s["pages"] += 1
            for key in ("fires", "words", "gold_words"):
                s[key] += e[key]
            s["f1_effect"] += e["f1_effect"] / len(rows)
    for s in out.values():
        s["f1_effect"] = round(s["f1_effect"], 4)
        s["gold_share"] = round(s["gold_words"] / s["words"], 3) if s["words"] else 0.0
    return dict(sorted(out.items(), key=lambda kv: -kv[1]["fires"]))


def rule_table(rules: dict[str, Any]) -> str:
    """The rules' Markdown table: how often each fired, what it dropped, its F1 effect."""
    lines = ["| rule | pages | fires | words dropped | of them gold | mean F1 effect |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for name, s in rules.items():
        lines.append(
            f"| {name} | {s['pages']} | {s['fires']} | {s['words']} | {s['gold_share']:.0%} "
            f"| {s['f1_effect']:+.4f} |"
        )
    return "\n".join(lines)


def _page_line(row: dict[str, Any], tools: tuple[str, ...]) -> str:
    cells = "  ".join(
        f"{t[:5]} {row[t]['f1']:.3f} {row[t]['heads']}/{row['gold_headings']}" for t in tools
    )
    return f"{row['page'][:34]:34} {row['shape'][:5]:5} {row['gold_words']:6}  {cells}"


def table(summary: dict[str, Any], tools: tuple[str, ...] = TOOLS) -> str:
    """The side-by-side Markdown table of one summary set."""
    lines = [
        "| measure | " + " | ".join(tools) + " |",
        "|---|" + "---|" * len(tools),
    ]
    for key, label in (
        ("text_f1", "text F1 (bag of words)"),
        ("text_precision", "text precision"),
        ("text_recall", "text recall"),
        ("heading_recall", "heading recall"),
        ("heading_precision", "heading precision"),
        ("min_f1", "lowest page F1"),
        ("pages_under_0.80", "pages under 0.80 F1"),
    ):
        lines.append(f"| {label} | " + " | ".join(str(summary[t][key]) for t in tools) + " |")
    return "\n".join(lines)


def run() -> dict[str, Any]:
    """``make bench`` entry: summary figures (per-page rows are in ``--pages`` output)."""
    t0 = time.perf_counter()
    result = score_all()
    out: dict[str, Any] = {"versions": result["versions"], "corpus": result["corpus"]}
    if "corpus" not in result["summary"]:
        out["note"] = f"corpus not found at {result['corpus']}: fixtures only"
    out["summary"] = result["summary"]
    out["seconds"] = round(time.perf_counter() - t0, 1)
    return out


def main() -> int:
    """Print the side-by-side tables (and per-page lines with ``--pages``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="folder of NAME.html + NAME.json pages")
    parser.add_argument("--pages", action="store_true", help="print one line per page")
    parser.add_argument("--only", choices=TOOLS, action="append", help="score only these tools")
    parser.add_argument("--json", help="also write the full result to this file")
    args = parser.parse_args()
    if args.corpus:
        os.environ["ARTICAST_INGEST_CORPUS"] = args.corpus
    tools = tuple(args.only) if args.only else TOOLS
    result = score_all(tools, verbose=args.pages)
    if "corpus" not in result["summary"]:
        print(f"note: corpus not found at {result['corpus']}; fixtures only", file=sys.stderr)
    print(result["versions"])
    for set_name, summ in result["summary"].items():
        print(f"\n## {set_name}: {summ['pages']} pages, {summ['gold_headings']} gold headings\n")
        print(table(summ, tools))
        if "rules" in summ:
            print(f"\nIngest rules on {set_name}:\n")
            print(rule_table(summ["rules"]))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
