"""Audio stage: assembly, chapters, tags and loudness, read back with ffmpeg and mutagen."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import wave
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3, CTOCFlags

from articast import audio, media
from articast.audio._common import join_grid
from articast.config import AudioSettings, ShowConfig
from articast.errors import InputError
from articast.models import (
    Article,
    Master,
    Segment,
    SegmentKind,
    SegmentSpeech,
    Speech,
    Talk,
    Utterance,
    WordTiming,
)
from articast.pictures.cover import cover_art
from articast.voices import SynthParams, Voice, get_voice

TALK = Talk(
    url="https://www.youtube.com/watch?v=Xq3vN8sLk2E&t=95s",
    video_id="Xq3vN8sLk2E",
    start=95,
    title="How sleep shapes memory",
)
ARTICLE = Article(
    title="Night Shift: How the Sleeping Brain Files Away the Day",
    sections=(),
    source_url="https://example.org/night-shift",
)
SHOW = ShowConfig(name="Test Show", author="Tester")

SEGMENTS: tuple[tuple[SegmentKind, str, tuple[str, ...], bool], ...] = (
    ("intro", "Introduction", ("Welcome to the test show.", "Today: sleep."), False),
    (
        "section",
        "Slow Waves",
        ("Deep sleep has slow waves.", "Spindles ride on top.", "They help memory."),
        True,
    ),
    (
        "section",
        "Replay",
        ("Place cells fire again at night.", "Roughly twenty times faster."),
        False,
    ),
    ("outro", "Watch the full talk", ("Thanks for listening.",), False),
)


def make_speech(voice: Voice, segments=SEGMENTS) -> Speech:  # type: ignore[no-untyped-def]
    """Speak each sentence with ``voice`` (no cache) into a Speech value."""
    out = []
    for kind, title, sentences, mentions in segments:
        utts = []
        for text in sentences:
            res = voice.synthesize(text, SynthParams())
            utts.append(Utterance(text, res.pcm, res.sample_rate, res.words))
        out.append(
            SegmentSpeech(Segment(kind, title, sentences, mentions_talk=mentions), tuple(utts))
        )
    return Speech(voice.info.spec, tuple(out))


def ffmpeg_chapters(mp3: Path) -> list[tuple[float, float, str]]:
    """(start, end, title) of every chapter ``ffmpeg -i`` lists, sorted by start."""
    info = media.probe_info(mp3)
    found = re.findall(
        r"Chapter #\d+:\d+: start (\d+\.\d+), end (\d+\.\d+)\s*\n\s*Metadata:\s*\n\s*title\s*: (.*)",
        info,
    )
    return sorted((float(a), float(b), t.strip()) for a, b, t in found)


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
        return data.reshape(-1, w.getnchannels()) / 32768.0


def rms_db(x: np.ndarray) -> float:
    return 10 * float(np.log10(np.mean(np.square(x)) + 1e-20))


@pytest.fixture(scope="module")
def fake_speech() -> Speech:
    return make_speech(get_voice("fake:tone"))


@pytest.fixture(scope="module")
def episode(tmp_path_factory: pytest.TempPathFactory, fake_speech: Speech) -> tuple[Master, Path]:
    """One mastered episode (fake voice, stings, cover) shared by the read-back tests."""
    root = tmp_path_factory.mktemp("episode")
    cover = cover_art(ARTICLE, TALK, SHOW, root / "cover.jpg")
    return master_of(fake_speech, root, cover=cover), root


def master_of(
    speech: Speech, root: Path, settings: AudioSettings | None = None, cover: Path | None = None
) -> Master:
    """``speech`` mastered into ``root/out`` (MP3) and ``root/work`` (WAV), no cache."""
    return audio.master_audio(
        speech,
        TALK,
        ARTICLE,
        SHOW,
        settings or AudioSettings(),
        cover=cover,
        out_dir=root / "out",
        workdir=root / "work",
    )


def test_writes_only_the_episode_files(episode: tuple[Master, Path]) -> None:
    master, root = episode
    assert sorted(p.name for p in (root / "out").iterdir()) == ["chapters.json", "episode.mp3"]
    assert master.mp3 == root / "out" / "episode.mp3"
    assert master.wav.is_file() and master.wav.parent == root / "work"


def test_encoded_file_is_44k_mono_96k(episode: tuple[Master, Path]) -> None:
    master, _ = episode
    info = media.probe_info(master.mp3)
    assert re.search(r"Audio: mp3.*44100 Hz, mono.*96 kb/s", info), info
    assert media.probe_duration(master.mp3) == pytest.approx(master.duration, abs=0.05)


def test_loudness_of_encoded_file(episode: tuple[Master, Path]) -> None:
    master, _ = episode
    loud = media.measure_loudness(master.mp3)
    assert loud.integrated_lufs == pytest.approx(-16.0, abs=1.0)
    assert loud.true_peak_dbtp <= -1.0
    assert master.loudness_lufs == loud.integrated_lufs
    assert master.true_peak_dbtp == loud.true_peak_dbtp
    assert master.premaster_lufs is not None and master.premaster_lufs != master.loudness_lufs


def test_ffmpeg_lists_one_chapter_per_segment(episode: tuple[Master, Path]) -> None:
    master, _ = episode
    listed = ffmpeg_chapters(master.mp3)
    assert [t for _, _, t in listed] == [s[1] for s in SEGMENTS]
    assert len(master.chapters) == len(SEGMENTS)
    for (start, end, _), ch in zip(listed, master.chapters, strict=True):
        assert start == pytest.approx(ch.start, abs=0.05)
        assert end == pytest.approx(ch.end, abs=0.05)


def test_chapters_are_contiguous_and_cover_the_file(episode: tuple[Master, Path]) -> None:
    master, _ = episode
    chs = master.chapters
    assert chs[0].start == 0.0
    assert all(a.end == b.start for a, b in itertools.pairwise(chs))
    assert chs[-1].end == pytest.approx(master.duration, abs=0.001)
    assert all(c.end > c.start for c in chs)


def test_id3_chap_ctoc_and_talk_links(episode: tuple[Master, Path]) -> None:
    master, _ = episode
    tags = ID3(master.mp3)
    assert tags.version[:2] == (2, 4)
    tocs = tags.getall("CTOC")
    assert len(tocs) == 1
    toc = tocs[0]
    assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    assert list(toc.child_element_ids) == sorted(chaps, key=lambda k: chaps[k].start_time)
    ordered = [chaps[k] for k in toc.child_element_ids]
    for chap, ch, seg in zip(ordered, master.chapters, SEGMENTS, strict=True):
        assert chap.sub_frames["TIT2"].text == [seg[1]]
        assert (chap.start_time, chap.end_time) == (round(ch.start * 1000), round(ch.end * 1000))
        links = [f.url for f in chap.sub_frames.getall("WXXX")]
        wants_link = seg[0] == "outro" or seg[3]
        assert links == ([TALK.url] if wants_link else [])
        assert ch.url == (TALK.url if wants_link else None)
    assert ordered[-1].end_time == round(master.duration * 1000)


def test_id3_text_frames_and_cover(episode: tuple[Master, Path]) -> None:
    from io import BytesIO

    from PIL import Image

    master, _ = episode
    tags = ID3(master.mp3)
    assert tags["TIT2"].text == [ARTICLE.title]
    assert tags["TPE1"].text == [SHOW.name]
    assert tags["TALB"].text == [SHOW.name]
    assert tags["TCON"].text == ["Podcast"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(tags["TDRC"].text[0]))
    comment = tags.getall("COMM")[0].text[0]
    assert ARTICLE.source_url in comment and TALK.url in comment
    assert tags.getall("WOAR")[0].url == ARTICLE.source_url
    assert [f.url for f in tags.getall("WXXX")] == [TALK.url]
    apic = tags.getall("APIC")[0]
    assert apic.mime == "image/jpeg" and apic.type == 3
    img = Image.open(BytesIO(apic.data))
    assert img.mode == "RGB" and img.width == img.height and 1400 <= img.width <= 3000


def test_chapters_json(episode: tuple[Master, Path]) -> None:
    master, root = episode
    doc = json.loads((root / "out" / "chapters.json").read_text(encoding="utf-8"))
    assert doc["version"] == "1.2.0"
    items = doc["chapters"]
    assert items[0]["startTime"] == 0
    starts = [c["startTime"] for c in items]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert [c["title"] for c in items] == [c.title for c in master.chapters]
    assert [c.get("url") for c in items] == [c.url for c in master.chapters]
    for item, ch in zip(items, master.chapters, strict=True):
        assert item["startTime"] == pytest.approx(ch.start, abs=0.001)


def test_sentences_on_the_timeline(episode: tuple[Master, Path], fake_speech: Speech) -> None:
    master, _ = episode
    utts = [(i, u) for i, s in enumerate(fake_speech.segments) for u in s.utterances]
    assert [(s.segment_index, s.text) for s in master.sentences] == [(i, u.text) for i, u in utts]
    settings = AudioSettings()
    for a, b in zip(master.sentences, master.sentences[1:], strict=False):
        gap = b.start - a.end
        if a.segment_index == b.segment_index:
            assert gap == pytest.approx(settings.sentence_pause, abs=0.002)
        else:  # a section starts on the join grid: its pause is up to one step longer
            step = join_grid(44100) / 44100
            assert settings.section_pause - 0.002 <= gap < settings.section_pause + step
    for s in master.sentences:
        ch = master.chapters[s.segment_index]
        assert ch.start <= s.start < s.end <= ch.end
        assert len(s.words) == len(s.text.split())
        assert all(s.start <= w.start <= w.end <= s.end for w in s.words)
        assert all(x.start <= y.start for x, y in zip(s.words, s.words[1:], strict=False))


def test_words_land_on_the_voice(episode: tuple[Master, Path]) -> None:
    """The fake voice's words are tones: inside a word the master is loud, in pauses silent."""
    master, _ = episode
    x = read_wav(master.wav)[:, 0]
    sr = 44100
    inside, pauses = [], []
    for a, b in zip(master.sentences, master.sentences[1:], strict=False):
        if a.segment_index == b.segment_index:
            pauses.append(x[round((a.end + 0.05) * sr) : round((b.start - 0.05) * sr)])
    for s in master.sentences:
        for w in s.words:
            inside.append(x[round((w.start + 0.01) * sr) : round((w.end - 0.01) * sr)])
    assert rms_db(np.concatenate(inside)) - rms_db(np.concatenate(pauses)) > 40


def test_stings_frame_the_speech(episode: tuple[Master, Path]) -> None:
    master, _ = episode
    x = read_wav(master.wav)[:, 0]
    sr = 44100
    first, last = master.sentences[0], master.sentences[-1]
    assert first.start >= 1.5
    assert rms_db(x[: round(1.0 * sr)]) > -40  # the intro sting plays before the first word
    assert rms_db(x[round((last.end + 1.0) * sr) : round((last.end + 2.0) * sr)]) > -40


def test_no_stings_no_music_starts_quickly(tmp_path: Path, fake_speech: Speech) -> None:
    mix = audio.timeline(fake_speech, None, AudioSettings(stings=False))
    assert mix.sentences[0].start == pytest.approx(audio.LEAD_PLAIN, abs=0.03)
    assert not mix.render(["stings"]).any()
    assert not mix.music and mix.channels == 1
    assert mix.duration == pytest.approx(mix.sentences[-1].end + audio.TAIL_PLAIN, abs=0.021)
    assert all(c.url is None for c in mix.chapters)


def test_music_bed_ducks_under_speech_and_returns(fake_speech: Speech) -> None:
    settings = AudioSettings(music=True)
    mix = audio.timeline(fake_speech, TALK, settings)
    music = mix.render(["music"]).astype(np.float64)
    voice = mix.render(["voice"])[:, 0]
    assert music.shape == (mix.frames, 2)
    sr = mix.sample_rate
    under = []
    for s in mix.sentences:
        a, b = round(s.start * sr), round(s.end * sr)
        gap = rms_db(voice[a:b]) - rms_db(music[a:b])
        under.append(gap)
        assert gap >= 12.0, (s.text, gap)
    # Between sections the bed comes back up: compare the middle of each section pause.
    ducked = np.median(
        [rms_db(music[round(s.start * sr) : round(s.end * sr)]) for s in mix.sentences]
    )
    for a, b in zip(mix.sentences, mix.sentences[1:], strict=False):
        if a.segment_index != b.segment_index:
            mid = (a.end + b.start) / 2
            level = rms_db(music[round((mid - 0.1) * sr) : round((mid + 0.1) * sr)])
            assert level > ducked + settings.duck_db - 4
    # It fades in and out.
    assert rms_db(music[: round(0.05 * sr)]) < rms_db(music[round(1.5 * sr) : round(1.6 * sr)]) - 20
    assert abs(music[-10:]).max() < 1e-3


def test_music_master_is_stereo_128k_and_on_target(tmp_path: Path, fake_speech: Speech) -> None:
    master = audio.master_audio(
        fake_speech,
        TALK,
        ARTICLE,
        SHOW,
        AudioSettings(music=True),
        cover=None,
        out_dir=tmp_path / "out",
        workdir=tmp_path / "work",
    )
    info = media.probe_info(master.mp3)
    assert re.search(r"44100 Hz, stereo.*128 kb/s", info), info
    loud = media.measure_loudness(master.mp3)
    assert loud.integrated_lufs == pytest.approx(-16.0, abs=1.0)
    assert loud.true_peak_dbtp <= -1.0
    assert not ID3(master.mp3).getall("APIC")


def test_user_music_file_is_looped(tmp_path: Path, fake_speech: Speech) -> None:
    sr = 44100
    t = np.arange(2 * sr) / sr
    tone = (0.5 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    path = tmp_path / "bed.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(tone.tobytes())
    mix = audio.timeline(
        fake_speech, None, AudioSettings(music=True, music_file=path), workdir=tmp_path / "w"
    )
    music = mix.render(["music"])
    # Long after the 2-second file ended, the bed still carries its 440 Hz tone.
    sr2 = mix.sample_rate
    chunk = music[round(mix.duration / 2 * sr2) :, 0][:sr2]
    spectrum = np.abs(np.fft.rfft(chunk))
    assert abs(np.argmax(spectrum) * sr2 / len(chunk) - 440) < 3
    assert not list((tmp_path / "w").glob("*.f32"))


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"music": True, "duck_db": 2.0}, "duck_db"),
        ({"music": True, "music_file": Path("/nonexistent/bed.mp3")}, "music file not found"),
        ({"target_lufs": 3.0}, "target_lufs"),
        ({"true_peak": 2.0}, "true_peak"),
        ({"sample_rate": 48000}, "sample_rate"),
        ({"sentence_pause": -1.0}, "sentence_pause"),
        ({"mono_bitrate": "96"}, "mono_bitrate"),
        ({"stereo_bitrate": "1000k"}, "stereo_bitrate"),
    ],
)
def test_bad_settings_are_input_errors(
    fake_speech: Speech, changes: dict[str, object], match: str
) -> None:
    with pytest.raises(InputError, match=match):
        audio.timeline(fake_speech, None, dataclasses.replace(AudioSettings(), **changes))


def test_undecodable_music_file_is_an_input_error(tmp_path: Path, fake_speech: Speech) -> None:
    bad = tmp_path / "bed.mp3"
    bad.write_bytes(b"this is not audio" * 100)
    settings = AudioSettings(music=True, music_file=bad)
    with pytest.raises(InputError, match="cannot decode the music file"):
        audio.timeline(fake_speech, None, settings, workdir=tmp_path / "w")
    assert not list((tmp_path / "w").iterdir())


def _tone_utterance(text: str, rate: int, seconds: float) -> Utterance:
    t = np.arange(round(seconds * rate)) / rate
    pcm = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2").tobytes()
    half = seconds / 2
    return Utterance(
        text, pcm, rate, (WordTiming("one", 0.0, half), WordTiming("two", half, seconds))
    )


@pytest.mark.parametrize("rates", [(24000, 24000), (16000, 22050), (44100, 44100), (48000, 22050)])
def test_any_voice_sample_rate_keeps_lengths_and_timings(rates: tuple[int, int]) -> None:
    segs = tuple(
        SegmentSpeech(
            Segment("section", f"Part {i}", ("one two",)), (_tone_utterance("one two", rate, 1.0),)
        )
        for i, rate in enumerate(rates)
    )
    mix = audio.timeline(Speech("test", segs), None, AudioSettings(stings=False))
    sr = mix.sample_rate
    voice = mix.render(["voice"])[:, 0]
    for s in mix.sentences:
        # A 1-second tone (trim keeps it: it is loud from its first sample to its last).
        assert s.end - s.start == pytest.approx(1.0, abs=0.002)
        assert s.words[1].start == pytest.approx(s.start + 0.5, abs=0.002)
        inside = voice[round((s.start + 0.05) * sr) : round((s.end - 0.05) * sr)]
        assert rms_db(inside.astype(np.float64)) == pytest.approx(
            rms_db(np.array([0.3 / np.sqrt(2)])), abs=0.2
        )
    gap = mix.sentences[1].start - mix.sentences[0].end
    # A section starts on the join grid: its pause is up to one grid step longer.
    step = join_grid(44100) / 44100
    assert AudioSettings().section_pause - 0.002 <= gap < AudioSettings().section_pause + step


def test_paragraphs_pause_longer_than_sentences_and_shorter_than_sections() -> None:
    """Pauses of a calm read: the measured silence between utterances is the configured pause
    (no doubled silence from the voice's own edges), longer after a heading or paragraph."""
    settings = AudioSettings(stings=False)
    assert settings.sentence_pause < settings.paragraph_pause < settings.section_pause
    texts = ("Heading", "one two", "one two", "one two", "one two")
    utts = tuple(_tone_utterance(t, 22050, 0.6) for t in texts)
    padded = tuple(  # the voice leaves 0.2 s of silence at both edges: trimmed, not added
        dataclasses.replace(u, pcm=bytes(8820) + u.pcm + bytes(8820)) for u in utts
    )
    seg = Segment("section", "Part", texts, paragraph_ends=(0, 2))
    mix = audio.timeline(Speech("test", (SegmentSpeech(seg, padded),)), None, settings)
    voice = mix.render(["voice"])[:, 0]
    sr = mix.sample_rate
    loud = np.flatnonzero(np.abs(voice) > 1e-3)
    breaks = np.flatnonzero(np.diff(loud) > sr // 20)  # not the tone's zero crossings
    silences = [(loud[i + 1] - loud[i] - 1) / sr for i in breaks]
    expected = [settings.paragraph_pause, settings.sentence_pause, settings.paragraph_pause,
                settings.sentence_pause]  # fmt: skip
    # heard silence = the pause plus the short margins kept at both word edges (the voice's
    # own 0.2 s edges are not added on top)
    margins = [heard - pause for heard, pause in zip(silences, expected, strict=True)]
    assert all(0.0 <= m <= 0.1 for m in margins), margins
    assert max(margins) - min(margins) < 0.002, margins
    gaps = [b.start - a.end for a, b in zip(mix.sentences, mix.sentences[1:], strict=False)]
    assert gaps == pytest.approx(expected, abs=0.002)


def test_empty_speech_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no segments"):
        audio.master_audio(
            Speech("fake:tone", ()),
            None,
            ARTICLE,
            SHOW,
            AudioSettings(),
            cover=None,
            out_dir=tmp_path / "out",
            workdir=tmp_path / "work",
        )
    assert not (tmp_path / "out" / "episode.mp3").exists()


def test_without_talk_there_are_no_talk_links(tmp_path: Path, fake_speech: Speech) -> None:
    article = dataclasses.replace(ARTICLE, source_url=None, source="/tmp/article.txt")
    master = audio.master_audio(
        fake_speech,
        None,
        article,
        SHOW,
        AudioSettings(stings=False),
        cover=None,
        out_dir=tmp_path / "out",
        workdir=tmp_path / "work",
    )
    tags = ID3(master.mp3)
    assert not tags.getall("WXXX") and not tags.getall("WOAR")
    assert all(not c.sub_frames.getall("WXXX") for c in tags.getall("CHAP"))
    doc = json.loads((tmp_path / "out" / "chapters.json").read_text(encoding="utf-8"))
    assert all("url" not in c for c in doc["chapters"])


# --------------------------------------------------------------------------- DSP units


def test_integrated_loudness_matches_ffmpeg(tmp_path: Path) -> None:
    sr = 44100
    rng = np.random.default_rng(3)
    t = np.arange(12 * sr) / sr
    x = 0.2 * np.sin(2 * np.pi * 300 * t) * (rng.random(len(t)) > 0.3) + 0.05 * rng.standard_normal(
        len(t)
    )
    x[4 * sr : 5 * sr] = 0.0  # a silent second the gate must skip
    path = tmp_path / "x.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes((x * 32767).astype("<i2").tobytes())
    ours = audio.integrated_loudness(x.astype(np.float32), sr)
    assert ours == pytest.approx(media.measure_loudness(path).integrated_lufs, abs=0.15)


def test_limiter_holds_the_true_peak_ceiling() -> None:
    sr = 44100
    rng = np.random.default_rng(7)
    x = (0.05 * rng.standard_normal(5 * sr)).astype(np.float32)
    for at in (sr, 2 * sr, 2 * sr + 300, 4 * sr):  # sharp spikes 20+ dB over the body
        x[at : at + 40] += np.hanning(40).astype(np.float32) * 0.9
    y = audio.limit_true_peak(x, sr, ceiling_db=-2.0, gain_db=6.0)
    assert audio.true_peak_db(y, sr) <= -2.0 + 0.05
    # Away from the spikes the full gain applies (the limiter is not a compressor).
    quiet = slice(round(3.0 * sr), round(3.5 * sr))
    assert rms_db(y[quiet].astype(np.float64)) - rms_db(
        x[quiet].astype(np.float64)
    ) == pytest.approx(6.0, abs=0.05)


def test_true_peak_sees_between_samples() -> None:
    sr = 44100
    t = np.arange(sr) / sr
    x = (0.5 * np.sin(2 * np.pi * (sr / 4) * t + np.pi / 4)).astype(np.float32)
    assert 20 * np.log10(np.abs(x).max()) == pytest.approx(-9.03, abs=0.05)  # samples miss it
    assert audio.true_peak_db(x, sr) == pytest.approx(-6.02, abs=0.15)


def test_pad_bed_loops_without_a_click() -> None:
    bed = audio.pad_bed(2 * audio.PAD_LOOP_SECONDS + 1)
    n = round(audio.PAD_LOOP_SECONDS * 44100)
    seam = np.abs(bed[n] - bed[n - 1]).max()
    typical = np.percentile(np.abs(np.diff(bed[: n // 2], axis=0)), 99.9)
    assert bed.shape == (round((2 * audio.PAD_LOOP_SECONDS + 1) * 44100), 2)
    assert seam <= typical


# --------------------------------------------------------------------------- real speech


def test_espeak_speech_meets_loudness_and_true_peak(tmp_path: Path) -> None:
    """espeak's peaky speech is the hard case: gain alone would clip; the limiter must hold."""
    voice = get_voice("espeak:en-us")
    lines = (
        "Every night your brain runs a quiet maintenance shift.",
        "Slow waves sweep across the cortex about once a second!",
        "Spindles, short bursts between eleven and sixteen hertz, ride on top of them.",
        "Place cells replay the day's maze, roughly twenty times faster.",
        "When that replay is disrupted, performance drops by about thirty percent.",
        "Sleep on a problem, and you may find the hidden rule.",
    )
    segs = (
        ("intro", "Introduction", lines[:2], False),
        ("section", "Spindles", lines[2:4] * 3, True),
        ("section", "Replay", lines[4:] * 3, False),
        ("outro", "Outro", lines[:1], False),
    )
    speech = make_speech(voice, segs)
    master = audio.master_audio(
        speech,
        TALK,
        ARTICLE,
        SHOW,
        AudioSettings(),
        cover=None,
        out_dir=tmp_path / "out",
        workdir=tmp_path / "work",
    )
    assert master.duration > 2 * audio.CALIBRATION_SECONDS  # exercises the calibration path
    loud = media.measure_loudness(master.mp3)
    assert loud.integrated_lufs == pytest.approx(-16.0, abs=1.0)
    assert loud.true_peak_dbtp <= -1.0
    # Plain gain to -16 LUFS would have pushed espeak's peaks over full scale.
    raw = audio.timeline(speech, TALK, AudioSettings()).render()
    gain = -16.0 - audio.integrated_loudness(raw, 44100)
    assert audio.true_peak_db(raw, 44100) + gain > -1.0
    assert [t for _, _, t in ffmpeg_chapters(master.mp3)] == [s[1] for s in segs]


@pytest.mark.parametrize("which", ["broken_sample", "seed_article"])
def test_real_articles_meet_the_podcast_standards(
    tmp_path: Path, request: pytest.FixtureRequest, which: str
) -> None:
    """The sample and the user's article, through real ingest, narration and espeak."""
    from articast.config import load_settings
    from articast.ingest import load_article
    from articast.narrate import build_script
    from articast.talk import resolve_talk
    from articast.voices import speak

    source: Path = request.getfixturevalue(which)
    s = load_settings(use_files=False).with_offline(True)
    s = dataclasses.replace(s, voice=dataclasses.replace(s.voice, voice="espeak:en-us"))
    article = load_article(source, s.ingest)
    talk = None
    if article.talk is not None:
        talk = resolve_talk(article.talk, tmp_path / "cache", offline=True)[0]
    script = build_script(article, talk, s.narrate)
    speech = speak(script, s.voice, tmp_path / "cache")
    cover = cover_art(article, talk, s.show, tmp_path / "cover.jpg")
    master = audio.master_audio(
        speech, talk, article, s.show, s.audio,
        cover=cover, out_dir=tmp_path / "out", workdir=tmp_path / "work",
    )  # fmt: skip
    loud = media.measure_loudness(master.mp3)
    assert loud.integrated_lufs == pytest.approx(-16.0, abs=1.0)
    assert loud.true_peak_dbtp <= -1.0
    listed = ffmpeg_chapters(master.mp3)
    assert [t for _, _, t in listed] == [seg.title for seg in script.segments]
    for (start, _, _), ch in zip(listed, master.chapters, strict=True):
        assert start == pytest.approx(ch.start, abs=0.05)
    assert talk is not None
    links = [f.url for c in ID3(master.mp3).getall("CHAP") for f in c.sub_frames.getall("WXXX")]
    assert talk.url in links


def test_stage_entry_point_gives_the_timeline_first_then_the_master(
    tmp_path: Path, fake_speech: Speech
) -> None:
    settings = AudioSettings(stings=False)
    kw = {"cover": None, "out_dir": tmp_path / "out", "workdir": tmp_path / "w"}
    job = audio.start(fake_speech, TALK, ARTICLE, SHOW, settings, cache_root=tmp_path / "c", **kw)
    # The timeline is there before any audio is written.
    assert not job.cached and len(job.timeline.chapters) == len(SEGMENTS)
    assert not job.timeline.wav.exists() and not job.timeline.mp3.exists()
    draft = job.levelled()
    assert draft.wav.is_file() and not draft.mp3.exists()
    done = job.result()
    assert done.mp3.is_file() and done.loudness_lufs == pytest.approx(-16.0, abs=1.0)
    assert done.sentences == job.timeline.sentences
    # The same inputs again: the finished master comes from the cache.
    kw = {"cover": None, "out_dir": tmp_path / "out2", "workdir": tmp_path / "w2"}
    again = audio.start(fake_speech, TALK, ARTICLE, SHOW, settings, cache_root=tmp_path / "c", **kw)
    assert again.cached and again.result().loudness_lufs == done.loudness_lufs
    assert (tmp_path / "out2" / "episode.mp3").read_bytes() == done.mp3.read_bytes()


def test_timeline_renders_in_bounded_windows(tmp_path: Path, fake_speech: Speech) -> None:
    # A long episode: the fake speech's segments repeated.
    long = Speech(fake_speech.voice, fake_speech.segments * 12)
    tl = audio.timeline(long, TALK, AudioSettings(music=True))
    assert tl.duration > 150
    longest = max(e - s for s, e in tl.speech_spans)
    sizes = []
    starts = []
    for start, seg in tl.windows():
        starts.append(start)
        sizes.append(int(seg.frame_count()))
        assert seg.channels == 2 and seg.frame_rate == 44100
    # Windows follow each other exactly and none holds much more than WINDOW_SECONDS.
    assert starts == [0, *itertools.accumulate(sizes)][:-1] and sum(sizes) == tl.frames
    assert len(sizes) > 3
    assert max(sizes) <= (30.0 + longest + 4.0) * 44100
    # Written to disk window by window, the file is the same audio as rendered at once.
    path = tl.write(tmp_path / "mix.wav")
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getnframes()) == (2, 4, tl.frames)
    assert np.array_equal(audio.read_wav(path), tl.render())


def test_levelling_streams_a_long_mix_in_bounded_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The leveller reads the mix WAV in chunks of bounded size, never as a whole, and the
    streamed result is the same as levelling the whole array at once."""
    from articast.audio import _loudness
    from articast.audio._mp3 import _write_wav_chunks
    from articast.audio._timeline import UNIT, WavFrames

    sr = 44100
    n = 90 * sr
    t = np.arange(n) / sr
    rng = np.random.default_rng(3)
    x = 0.2 * np.sin(2 * np.pi * 220 * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.3 * t))
    x += 0.05 * rng.standard_normal(n)
    for s in range(5, 85, 7):  # loud bursts: the limiter has work to do
        x[s * sr : s * sr + sr // 5] *= 4.0
    x = np.clip(x, -0.99, 0.99).astype(np.float32)
    mix = tmp_path / "mix.wav"
    with wave.open(str(mix), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(4)
        w.setframerate(sr)
        w.writeframes(np.rint(x.astype(np.float64) * UNIT).astype("<i4").tobytes())

    chunk = 1 << 16
    monkeypatch.setattr(_loudness, "STREAM_FRAMES", chunk)
    frames = WavFrames(mix)
    level = _loudness._Leveller(frames, sr, -2.0)
    curve = level.curve_for(-16.0, -2.0)
    out = tmp_path / "levelled.wav"
    _write_wav_chunks(out, level.chunks(curve), sr, 1)
    level.close()

    span = _loudness._BLOCK * _loudness._CHUNK  # one oversampling chunk of context each side
    assert level.step <= n // 10  # a 90-second mix: 6.4 s chunks (hop and span aligned)
    assert max(frames.reads) <= level.step + 2 * span
    assert len(frames.reads) >= 3 * (n // level.step)  # three passes, each in many pieces

    monkeypatch.setattr(_loudness, "STREAM_FRAMES", 1 << 30)
    whole = _loudness._Leveller(WavFrames(mix).read(0, n), sr, -2.0)
    assert whole.step >= n
    assert abs(whole.input_lufs - level.input_lufs) < 0.01
    np.testing.assert_allclose(whole.peaks, level.peaks, rtol=1e-5)
    np.testing.assert_allclose(whole.curve_for(-16.0, -2.0), curve, atol=1e-3)

    y = read_wav(out)[:, 0]
    assert len(y) == n
    assert abs(audio.integrated_loudness(y, sr) - -16.0) < 0.1
    assert audio.true_peak_db(y, sr) <= -1.9
