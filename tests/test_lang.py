"""Languages: the registry, native scripts for our own articles in seven languages, voice choice.

Scripts are built from the fixtures in ``tests/fixtures/languages`` (a clean page and a scraped
dump in the seed's broken style per language) without voicing anything; whole episodes are
built in ``test_lang_episodes``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from articast.cli import cli
from articast.config import DEFAULT_VOICE, Settings, VoiceSettings
from articast.ingest import load_article
from articast.lang import NATIVE, PHRASED, base_code, get_language, iso639_2
from articast.narrate import build_script
from articast.voices.choose import choose_voice

FIXTURES = Path(__file__).parent / "fixtures" / "languages"
ARTICLES = sorted(FIXTURES.glob("*.*"))
FOREIGN = [c for c in NATIVE if c != "en"]

# What articast writes in English: none of it may appear in another language's script.
ENGLISH_CONNECTIVES = (
    "Welcome to",
    "This episode is titled",
    "It is based on",
    "You will find the link",
    "That brings us to the end",
    "To hear the full talk",
    "Thanks for listening",
    "The article shows",
    "show notes",
)
ENGLISH_NUMBER_WORDS = re.compile(
    r"\b(?:percent|dollars|euros and|kilometers|meters|degrees|grams|hours|"
    r"three|seven|eight|twenty|thirty|forty|fifty|sixty|hundred|thousand|nineteen|third)\b"
)


def test_there_is_a_clean_page_and_a_scraped_dump_for_each_language() -> None:
    names = {p.name for p in ARTICLES}
    for code in FOREIGN:
        assert {f"{code}.html", f"{code}-scraped.txt"} <= names


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_our_articles_are_narrated_in_their_own_language(path: Path, settings: Settings) -> None:
    code = path.name[:2]
    article = load_article(path, settings.ingest_settings)
    assert base_code(article.language) == code  # declared (clean) or detected (scraped)
    script = build_script(article, None, settings.narrate)
    lang = get_language(code)
    text = "\n".join(s for seg in script.segments for s in seg.sentences)
    for phrase in ENGLISH_CONNECTIVES:
        assert phrase.lower() not in text.lower(), phrase
    assert not ENGLISH_NUMBER_WORDS.search(text), ENGLISH_NUMBER_WORDS.search(text)
    assert not re.search(r"\d", text), "numbers are read as words"
    assert script.segments[0].title == lang.chapters.intro
    assert script.segments[-1].title == lang.chapters.outro_talk  # every fixture links a talk
    assert script.segments[0].sentences[0] == lang.phrases.welcome.format(show="Articast")
    assert script.segments[-1].sentences[-1] == lang.phrases.thanks.format(show="Articast")
    # the bare-text headings of the scraped dumps became chapters too
    assert len(script.segments) >= 5
    if path.suffix == ".txt":
        assert any("stops mid-sentence" in w for w in script.warnings)


def test_native_phrases_and_labels_are_not_english() -> None:
    english = get_language("en")
    for code in FOREIGN:
        lang = get_language(code)
        assert lang.native
        same = [
            f.name
            for f in dataclasses.fields(lang.phrases)
            if getattr(lang.phrases, f.name) == getattr(english.phrases, f.name)
        ]
        assert same == [], (code, same)
        assert lang.labels.watch_talk != english.labels.watch_talk
        assert lang.labels.months != english.labels.months
        assert len(lang.labels.months) == 12


def test_registry_finds_languages_by_any_tag() -> None:
    assert get_language("de-AT").code == "de"
    assert get_language("pt_BR").code == "pt"
    assert get_language(None).code == "en"
    assert [iso639_2(c) for c in ("de", "pt-br", "nl", "xx")] == ["deu", "por", "nld", "und"]


def test_other_languages_get_their_own_numbers_and_english_phrases_with_a_warning(
    settings: Settings,
) -> None:
    cs = get_language("cs")
    assert not cs.native and cs.espeak == "cs"
    from articast.text.rules import apply_rules

    assert apply_rules("Mám 3 kočky.", cs.reading(None)) == "Mám tři kočky."
    from articast.models import Article, Section

    art = Article("Kočky", (Section(None, ("Mám 3 kočky a psa doma.",)),), language="cs")
    script = build_script(art, None, settings.narrate)
    assert any("no narration text written in 'cs'" in w for w in script.warnings)


@pytest.mark.parametrize("code", PHRASED)
def test_phrased_languages_write_their_own_intro_outro_and_labels(
    code: str, settings: Settings
) -> None:
    """Russian, Polish, Swedish, Japanese and Chinese: the sentences and labels articast writes
    are the language's own (no English stand-ins, no warning); numbers still become words."""
    english = get_language("en")
    lang = get_language(code)
    assert lang.native and lang.code == code and lang.espeak == code
    for group in ("phrases", "chapters", "labels"):
        mine, theirs = getattr(lang, group), getattr(english, group)
        same = [f.name for f in dataclasses.fields(mine) if getattr(mine, f.name) == getattr(theirs, f.name)]
        # "5 maja 2026" is written like "5 May 2026"; "Video" is Swedish too; the names of
        # other outputs' files are English unless a language gives its own (none yet)
        assert set(same) <= {"date", "video_file", "outputs"}, (code, group, same)
    from articast.models import Article, Section

    text = {"ru": "Было 3 кошки.", "pl": "Były 3 koty.", "sv": "Det fanns 3 katter.",
            "ja": "猫が3匹いました。", "zh": "有3只猫。"}[code]  # fmt: skip
    art = Article("T", (Section(None, (text,)),), language=code)
    script = build_script(art, None, settings.narrate)
    assert not any("no narration text" in w for w in script.warnings)
    assert script.segments[0].title == lang.chapters.intro
    assert script.segments[0].sentences[0] == lang.phrases.welcome.format(show="Articast")
    assert script.segments[-1].sentences[-1] == lang.phrases.thanks.format(show="Articast")
    spoken = " ".join(script.segments[1].sentences)
    # num2words has no Chinese: the digits are left to the voice there
    assert ("3" in spoken) == (code == "zh"), spoken


# --------------------------------------------------------------------------- voice choice


def test_offline_foreign_articles_get_espeaks_voice_for_their_language() -> None:
    offline = VoiceSettings(allow_network=False)
    chosen = {c: choose_voice(offline, c).settings.voice for c in [*FOREIGN, "pt-br"]}
    assert chosen == {
        "de": "espeak:de",
        "fr": "espeak:fr",
        "es": "espeak:es",
        "it": "espeak:it",
        "pt": "espeak:pt",
        "nl": "espeak:nl",
        "pt-br": "espeak:pt-br",
    }
    assert choose_voice(offline, "de").reason == "espeak"


def test_english_keeps_the_default_voice() -> None:
    choice = choose_voice(VoiceSettings(), "en-us")
    assert (choice.settings.voice, choice.reason, choice.warnings) == (DEFAULT_VOICE, "default", ())


def test_a_named_voice_always_wins_and_a_mismatch_is_warned() -> None:
    named = choose_voice(VoiceSettings(voice="espeak:en-us"), "de")
    assert named.settings.voice == "espeak:en-us"
    assert "speaks 'en-us' but the article is in 'de'" in named.warnings[0]
    assert choose_voice(VoiceSettings(voice="espeak:de"), "de-at").warnings == ()
    assert choose_voice(VoiceSettings(voice="fake:tone"), "fr").warnings == ()


def test_online_foreign_articles_get_a_google_voice_with_espeak_as_fallback(fake_google) -> None:  # type: ignore[no-untyped-def]
    online = VoiceSettings(gtts_url=fake_google.url)
    choice = choose_voice(online, "it")
    assert (choice.settings.voice, choice.settings.fallback_voice) == ("gtts:it", "espeak:it")
    assert choice.reason == "google"


def test_an_installed_neural_voice_for_the_language_comes_first(tmp_path: Path) -> None:
    pytest.importorskip("piper")
    pytest.importorskip("onnx")
    from test_voices_piper import make_tiny_voice

    models = tmp_path / "models"
    model = make_tiny_voice(models / "de_DE-tiny-low.onnx")
    config = Path(f"{model}.json")
    facts = json.loads(config.read_text(encoding="utf-8"))
    facts.update(language={"code": "de_DE"}, espeak={"voice": "de"})
    config.write_text(json.dumps(facts), encoding="utf-8")
    choice = choose_voice(VoiceSettings(models_dir=models, allow_network=False), "de")
    assert (choice.settings.voice, choice.reason) == ("piper:de_DE-tiny-low", "neural")
    # ...and not for another language
    assert choose_voice(VoiceSettings(models_dir=models), "nl").reason != "neural"


def test_voices_lists_only_the_languages_voices() -> None:
    result = CliRunner().invoke(cli, ["voices", "--json", "--language", "de"])
    assert result.exit_code == 0, result.output
    import json

    voices = json.loads(result.output)
    assert voices and all(base_code(v["language"]) == "de" for v in voices)
    assert {"espeak:de", "gtts:de"} <= {v["spec"] for v in voices}
    bad = CliRunner().invoke(cli, ["voices", "--language", "not a tag"])
    assert bad.exit_code == 2


def test_language_flag_overrides_detection(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["ingest", "--json", "--offline", "--language", "pt-BR", str(FIXTURES / "es-scraped.txt")],
    )
    assert result.exit_code == 0, result.output
    import json

    assert json.loads(result.output)["language"] == "pt-br"


def test_notes_for_code_and_tables_are_said_in_the_language(settings: Settings) -> None:
    from articast.models import Article, Section

    paragraphs = (
        "Der folgende Aufruf startet die Messung sofort und schreibt die Werte in eine Datei.\n\n"
        "```python\nmessen(start=True)\n```",
        "Ort; Tiefe",
        "Wiese; 2 m",
        "Acker; 1 m",
    )
    art = Article("Messen", (Section("Werkzeug", paragraphs),), language="de")
    text = " ".join(build_script(art, None, settings.narrate).segments[1].sentences)
    assert "Der Artikel zeigt hier ein Codebeispiel." in text
    assert "Der Artikel zeigt hier eine Tabelle." in text
    assert "The article shows" not in text


def test_the_end_card_heading_is_in_the_language() -> None:
    from PIL import ImageChops

    from articast.models import Talk
    from articast.pictures.cards import Ctx, end_card
    from articast.pictures.style import get_style

    talk = Talk(url="https://www.youtube.com/watch?v=Bn4Wq8Zt2Lk", video_id="Bn4Wq8Zt2Lk")

    def card(code: str):  # type: ignore[no-untyped-def]
        return end_card(
            Ctx((640, 360), get_style("dark")), talk, "Articast", "Titel", None,
            get_language(code).labels,
        )

    # the same card but for its heading: only the heading's band differs
    diff = ImageChops.difference(card("en"), card("de")).getbbox()
    assert diff is not None and diff[3] < 360 * 0.2


def test_an_edited_script_is_read_with_the_articles_language() -> None:
    from articast.narrate import parse_script_md

    text = "# Bienen\n\n## Intro: Einleitung\n\nSie flogen 30 km im Jahr 1995.\n"
    script = parse_script_md(text, language="de")
    assert script.segments[0].sentences == (
        "Sie flogen dreißig Kilometer im Jahr neunzehnhundertfünfundneunzig.",
    )


UNDECLARED = {
    "ru": "# Как сон помогает памяти\n\nКаждую ночь мозг сортирует события прошедшего дня. "
    "Учёные давно заметили, что после хорошего сна люди лучше запоминают новые слова.\n",
    "ar": "# كيف يساعد النوم الذاكرة\n\nفي كل ليلة يرتب الدماغ أحداث اليوم الماضي. لاحظ العلماء أن "
    "الناس يتذكرون الكلمات الجديدة بشكل أفضل بعد نوم جيد.\n",
    "hi": "# नींद याददाश्त में मदद करती है\n\nहर रात दिमाग़ पिछले दिन की घटनाओं को छांटता है। "
    "वैज्ञानिकों ने देखा है कि अच्छी नींद के बाद लोग नए शब्द बेहतर याद रखते हैं।\n",
    "ja": "# 時計台の修理\n\n駅前広場に立つ木造の時計台が、建てられてから初めての本格的な修理を"
    "受けることになった。工事は来月から始まり、秋の祭りまでに終わる予定だという。\n",
    "sv": "# Sömn och minne\n\nVarje natt sorterar hjärnan dagens händelser. Forskare har länge "
    "sett att människor minns nya ord bättre efter en god natts sömn, och nu vet vi varför.\n",
    "en": "# Sleep and memory\n\nEvery night the brain sorts the events of the day. Researchers "
    "have long seen that people remember new words better after a good night of sleep.\n",
}


@pytest.mark.parametrize("code", sorted(UNDECLARED))
def test_an_article_that_declares_no_language_is_narrated_in_its_own(
    code: str, tmp_path: Path
) -> None:
    """Markdown and text declare no language: the text decides, in any script."""
    from articast.config import IngestSettings

    path = tmp_path / f"{code}.md"
    path.write_text(UNDECLARED[code], encoding="utf-8")
    article = load_article(path, IngestSettings(allow_network=False))
    assert article.language == code
    choice = choose_voice(VoiceSettings(voice="", allow_network=False), article.language)
    if code == "en":
        assert choice.settings.voice == DEFAULT_VOICE
    else:  # espeak-ng speaks it (no neural voice for it is installed)
        assert choice.settings.voice.startswith("espeak:")
        assert base_code(choice.settings.voice.split(":", 1)[1]) == code
