"""articast.toml: defaults, overrides, path resolution and clear errors."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from articast.config import DEFAULT_VOICE, load_settings
from articast.errors import ConfigError, InputError

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_config_equals_the_documented_defaults() -> None:
    shipped = load_settings(ROOT / "articast.toml")
    defaults = load_settings(use_files=False)
    assert shipped.show == defaults.show
    assert shipped.audio == defaults.audio
    assert shipped.video == defaults.video
    assert shipped.voice.voice == defaults.voice.voice == ""  # chosen by the article's language
    assert DEFAULT_VOICE == "piper:en_US-joe-medium"  # English articles' voice
    assert shipped.ingest.language == defaults.ingest.language == ""
    assert shipped.ingest.max_bytes == defaults.ingest.max_bytes
    assert shipped.out_dir == ROOT / "output"


def test_values_paths_and_show_name_reach_the_stages(tmp_path: Path) -> None:
    cfg = tmp_path / "articast.toml"
    cfg.write_text(
        'out_dir = "public"\noffline = true\n'
        '[show]\nname = "Night Science"\nartwork = "art/cover.png"\n'
        '[voice]\nvoice = "espeak:en-gb-x-rp"\nrate = 160\n'
        "[audio]\ntarget_lufs = -18\n"
        '[narrate]\nlexicon = "words.toml"\n'
    )
    s = load_settings(cfg)
    assert s.out_dir == tmp_path / "public"
    assert s.cache_root == tmp_path / "public" / ".cache"
    assert s.show.artwork == tmp_path / "art" / "cover.png"
    assert s.narrate.lexicon == tmp_path / "words.toml"
    assert s.narrate.show_name == "Night Science"
    assert s.voice.rate == 160 and s.audio.target_lufs == -18
    assert s.offline and not s.voice.allow_network and not s.ingest.allow_network
    assert s.ingest_settings.image_dir == tmp_path / "public" / ".cache" / "images"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[show]\nnmae = 'x'\n", "unknown key(s) in [show]: nmae"),
        ("colour = 'red'\n", "unknown key(s): colour"),
        ("[video]\nburn_captions = 'yes'\n", '[video] burn_captions = "yes" is not allowed: expected true or false'),
        ("[audio]\ntarget_lufs = 'loud'\n", '[audio] target_lufs = "loud" is not allowed: expected a number from -40 to -5 LUFS'),
        ("[voice]\nrate = 150.5\n", "[voice] rate = 150.5 is not allowed: expected a whole number from 80 to 450"),
        ("[show]\nname = 3\n", "[show] name = 3 is not allowed: expected non-empty text"),
        ("[show\nname = 'x'\n", "not valid TOML"),
        ("[audio]\ntarget_lufs = 5\n", "[audio] target_lufs = 5 is not allowed: expected a number from -40 to -5 LUFS"),
        ("[audio]\ntarget_lufs = nan\n", "[audio] target_lufs = nan is not allowed"),
        ("[audio]\nmono_bitrate = '96'\n", '[audio] mono_bitrate = "96" is not allowed: expected an MP3 bitrate'),
        ("[audio]\nduck_db = 2\n", "[audio] duck_db = 2 is not allowed: expected a number from 4 to 60 dB"),
        ("[video]\nfps = 0\n", "[video] fps = 0 is not allowed: expected a whole number from 1 to 60"),
        ("[video]\nwidth = -3\n", "[video] width = -3 is not allowed: expected an even whole number from 160"),
        ("[video]\nheight = 721\n", "[video] height = 721 is not allowed: expected an even whole number"),
        ("[video]\npreset = 'quick'\n", '[video] preset = "quick" is not allowed: expected one of ultrafast,'),
        ("[ingest]\nmax_bytes = -1\n", "[ingest] max_bytes = -1 is not allowed: expected a whole number from 1 to"),
        ("[ingest]\ntimeout = 0\n", "[ingest] timeout = 0 is not allowed: expected a number above 0 to 600 seconds"),
        ("[show]\nbase_url = 'ftp://example.org/pod/'\n", '[show] base_url = "ftp://example.org/pod/" is not allowed: expected a URL starting with http:// or https://'),
        ("[show]\nbase_url = 'example.org/pod/'\n", "[show] base_url"),
        ("[voice]\ngtts_url = 'file:///etc/passwd'\n", "[voice] gtts_url"),
        ("[show]\nlanguage = 'English'\n", '[show] language = "English" is not allowed: expected an ISO 639'),
        ("[show]\nartwork = 'cover.gif'\n", "expected a path to a .jpg, .jpeg or .png file, or unset"),
        ("[voice]\nvoice = 'espeak en'\n", '[voice] voice = "espeak en" is not allowed: expected a voice as backend:name'),
        ("[ingest]\nlanguage = 'German'\n", '[ingest] language = "German" is not allowed: expected an ISO 639'),
        ("show = 'x'\n", 'show = "x" is not allowed: expected a table of settings ([show])'),
        ("offline = 'false'\n", 'offline = "false" is not allowed: expected true or false'),
        ("out_dir = 5\n", "out_dir = 5 is not allowed: expected a folder path"),
        ("cache_dir = []\n", "cache_dir = a list is not allowed: expected a folder path"),
    ],
)
def test_bad_config_is_one_clear_input_error(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "articast.toml"
    cfg.write_text(text)
    with pytest.raises(InputError) as err:
        load_settings(cfg)
    assert message in str(err.value)
    assert str(err.value).startswith(f"{cfg}: ")
    assert "\n" not in str(err.value)


def test_offline_false_is_false_and_ints_become_floats(tmp_path: Path) -> None:
    cfg = tmp_path / "articast.toml"
    cfg.write_text("offline = false\n[audio]\ntarget_lufs = -18\n")
    s = load_settings(cfg)
    assert s.offline is False and s.voice.allow_network
    assert isinstance(s.audio.target_lufs, float) and s.audio.target_lufs == -18.0


@pytest.mark.parametrize(
    ("table", "changes", "key"),
    [
        ("video", {"fps": 0}, "[video] fps = 0"),
        ("video", {"width": 1921}, "[video] width = 1921"),
        ("audio", {"target_lufs": 5.0}, "[audio] target_lufs = 5"),
        ("voice", {"pitch": 100}, "[voice] pitch = 100"),
        ("voice", {"rate": True}, "[voice] rate = true"),
        ("ingest", {"max_words": 0}, "[ingest] max_words = 0"),
        ("show", {"base_url": "javascript:alert(1)"}, "[show] base_url"),
    ],
)
def test_overrides_are_checked_too(table: str, changes: dict[str, object], key: str) -> None:
    """A flag applied with dataclasses.replace (what the CLI does) is checked like the file."""
    s = load_settings(use_files=False)
    with pytest.raises(ConfigError) as err:
        dataclasses.replace(getattr(s, table), **changes)
    assert str(err.value).startswith(key)
    assert err.value.key == key.split()[1] and err.value.section == table
    with pytest.raises(ConfigError, match="out_dir"):
        dataclasses.replace(s, out_dir="output")
    with pytest.raises(ConfigError, match="offline"):
        dataclasses.replace(s, offline="false")


def test_every_setting_declares_what_it_allows() -> None:
    """A new numeric setting without a range fails at once (the defaults are built here)."""
    from articast.config import _TABLES, Rule

    for cls in _TABLES.values():
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            kinds = typing.get_args(hints[f.name]) or (hints[f.name],)
            if int in kinds or float in kinds:
                assert isinstance(f.metadata.get("rule"), Rule), f"{cls.__name__}.{f.name}"
        cls()  # the defaults pass their own rules


def test_missing_files_are_named_before_a_build(tmp_path: Path) -> None:
    cfg = tmp_path / "articast.toml"
    cfg.write_text('[show]\nartwork = "art/cover.jpg"\n')
    s = load_settings(cfg)
    with pytest.raises(ConfigError, match=r"\[show\] artwork = .*cover.jpg.* expected an existing file"):
        s.check_files()


def test_environment_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "other.toml"
    cfg.write_text('[show]\nname = "From Env"\n')
    monkeypatch.setenv("ARTICAST_CONFIG", str(cfg))
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("ARTICAST_OFFLINE", "1")
    s = load_settings()
    assert s.show.name == "From Env"
    assert s.cache_root == tmp_path / "c"
    assert s.offline
    monkeypatch.setenv("ARTICAST_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(InputError, match="missing file"):
        load_settings()


def test_environment_offline_must_be_a_yes_or_no(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARTICAST_CONFIG", raising=False)
    monkeypatch.setenv("ARTICAST_OFFLINE", "0")
    assert load_settings().offline is False
    monkeypatch.setenv("ARTICAST_OFFLINE", "maybe")
    with pytest.raises(InputError, match="ARTICAST_OFFLINE"):
        load_settings()
