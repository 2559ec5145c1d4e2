"""Ingest's decisions as named rules: each shown by its fixture, listed by ``--rules``,
reported by ``--explain`` in page order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from articast.cli import cli
from articast.config import IngestSettings
from articast.ingest import RULES, explaining, load_article

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
OFFLINE = IngestSettings(allow_network=False)


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_acts_on_the_fixture_that_shows_it(name: str) -> None:
    rule = RULES[name]
    assert rule.reason and rule.reason[0].islower() and len(rule.reason) < 200
    with explaining() as log:
        load_article(FIXTURES / rule.fixture, OFFLINE)
    assert any(n.rule == name for n in log), (name, rule.fixture, {n.rule for n in log})


def test_explaining_changes_nothing_in_the_article() -> None:
    page = FIXTURES / "news.html"
    plain = load_article(page, OFFLINE)
    with explaining() as log:
        explained = load_article(page, OFFLINE)
    assert log and explained == plain


def _run(*args: str) -> tuple[int, str, str]:
    r = CliRunner(mix_stderr=False).invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_rules_lists_every_rule_with_its_reason() -> None:
    code, out, _ = _run("ingest", "--rules")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == len(RULES) >= 15
    assert any(ln.startswith("form-box") and "newsletter" in ln for ln in lines)
    code, out, _ = _run("ingest", "--rules", "--json")
    rows = json.loads(out)
    assert {r["name"] for r in rows} == set(RULES)
    assert all(r["reason"] and r["action"] in ("dropped", "changed", "kept") for r in rows)


def test_explain_names_the_rule_that_dropped_the_newsletter_box() -> None:
    page = str(FIXTURES / "news.html")
    code, out, _ = _run("ingest", page, "--explain", "--offline")
    assert code == 0
    line = next(ln for ln in out.splitlines() if "Morning briefing" in ln)
    assert "dropped by form-box" in line and "newsletter sign-up" in line
    code, out, _ = _run("ingest", page, "--explain", "--json", "--offline")
    data = json.loads(out)
    dropped = data["dropped"]
    assert all(set(d) == {"rule", "reason", "text", "words"} for d in dropped)
    box = next(d for d in dropped if d["text"].startswith("Morning briefing"))
    assert box["rule"] == "form-box" and box["words"] == 14
    # In page order: the cookie notice at the top, the footer last.
    texts = [d["text"] for d in dropped]
    cookie = next(i for i, t in enumerate(texts) if "cookies" in t)
    footer = next(i for i, t in enumerate(texts) if t.startswith("Copyright"))
    assert cookie < texts.index(box["text"]) < footer == len(texts) - 1
    assert [c["rule"] for c in data["changed"]] == ["title"]


def test_plain_ingest_json_has_no_explanation() -> None:
    code, out, _ = _run("ingest", str(FIXTURES / "news.html"), "--json", "--offline")
    data = json.loads(out)
    assert code == 0 and "dropped" not in data and "changed" not in data


def test_ingest_without_an_article_is_one_line_exit_2() -> None:
    code, _, err = _run("ingest")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--rules" in err
