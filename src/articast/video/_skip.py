"""Skipped pictures (private): a P-frame that repeats the picture before it, written here
instead of encoded.

A frame that shows what the frame before it showed needs no encoder: in H.264 it is a P
slice whose every macroblock is skipped (``P_Skip``: no residual, motion predicted from
neighbours that have none, so the decoded picture is the reference picture, exactly; the
deblocking filter has no edge to smooth). x264 spends as long on such a frame as on any
other (about 7 ms at 1080p, mostly lookahead and motion search), and karaoke captions
change the picture every few frames, so a group of pictures is mostly repeats: the video
stage gives x264 only the frames that differ and writes the rest here.

What has to hold for the joined stream to stay valid H.264 (``StreamParams.check_skippable``):

* every frame is a reference frame and ``frame_num`` counts them from the IDR: the skipped
  frames take their place in the count and the encoder's own P-frames after them get their
  ``frame_num`` rewritten (``with_frame_num``), a fixed-width field, so nothing else moves;
* picture order comes from ``frame_num`` (``pic_order_cnt_type`` 2: no B-frames), one
  reference frame (a P-frame after skipped frames refers to the last of them, which is the
  very picture the encoder referred to), one slice group, progressive frames.

The slice data of a skipped picture is the same for every frame of a stream (it depends on
the macroblock count and the context initialisation only), so it is built once: CABAC codes
``mb_skip_flag`` = 1 and ``end_of_slice_flag`` for each macroblock (H.264 9.3.4), CAVLC one
``mb_skip_run``.

Also here, for the join of cached chunks: two IDRs in a row must carry different
``idr_pic_id`` (H.264 7.4.3); ``with_idr_pic_id`` renumbers one, writing its slice header
again up to where the CABAC data starts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from articast.errors import RenderError

_START = b"\x00\x00\x00\x01"
_AUD_P = _START + b"\x09\x30"
"""Access unit delimiter of a frame of P (and I) slices: primary_pic_type 1."""

# H.264 Table 9-44: codIRangeLPS by pStateIdx and qCodIRangeIdx.
_RANGE_LPS = (
    (128, 176, 208, 240), (128, 167, 197, 227), (128, 158, 187, 216), (123, 150, 178, 205),
    (116, 142, 169, 195), (111, 135, 160, 185), (105, 128, 152, 175), (100, 122, 144, 166),
    (95, 116, 137, 158), (90, 110, 130, 150), (85, 104, 123, 142), (81, 99, 117, 135),
    (77, 94, 111, 128), (73, 89, 105, 122), (69, 85, 100, 116), (66, 80, 95, 110),
    (62, 76, 90, 104), (59, 72, 86, 99), (56, 69, 81, 94), (53, 65, 77, 89),
    (51, 62, 73, 85), (48, 59, 69, 80), (46, 56, 66, 76), (43, 53, 63, 72),
    (41, 50, 59, 69), (39, 48, 56, 65), (37, 45, 54, 62), (35, 43, 51, 59),
    (33, 41, 48, 56), (32, 39, 46, 53), (30, 37, 43, 50), (29, 35, 41, 48),
    (27, 33, 39, 45), (26, 31, 37, 43), (24, 30, 35, 41), (23, 28, 33, 39),
    (22, 27, 32, 37), (21, 26, 30, 35), (20, 24, 29, 33), (19, 23, 27, 31),
    (18, 22, 26, 30), (17, 21, 25, 28), (16, 20, 23, 27), (15, 19, 22, 25),
    (14, 18, 21, 24), (14, 17, 20, 23), (13, 16, 19, 22), (12, 15, 18, 21),
    (12, 14, 17, 20), (11, 14, 16, 19), (11, 13, 15, 18), (10, 12, 15, 17),
    (10, 12, 14, 16), (9, 11, 13, 15), (9, 11, 12, 14), (8, 10, 12, 14),
    (8, 9, 11, 13), (7, 9, 11, 12), (7, 9, 10, 12), (7, 8, 10, 11),
    (6, 8, 9, 11), (6, 7, 9, 10), (6, 7, 8, 9), (2, 2, 2, 2),
)  # fmt: skip
_SKIP_QP = 26
"""Slice QP of a skipped picture (nothing is quantised; it sets the contexts' start)."""
_SKIP_CTX = (23, 33)
"""(m, n) of ``mb_skip_flag``'s context 11 in P slices, ``cabac_init_idc`` 0 (Table 9-13)."""


# --------------------------------------------------------------------------- bits


class _Reader:
    """Bits of an RBSP, most significant first."""

    def __init__(self, data: bytes) -> None:
        self.bits = "".join(f"{b:08b}" for b in data)
        self.pos = 0

    def u(self, n: int) -> int:
        if self.pos + n > len(self.bits):
            raise RenderError("video: a parameter set ends early; delete the video cache")
        value = int(self.bits[self.pos : self.pos + n] or "0", 2)
        self.pos += n
        return value

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise RenderError("video: a malformed parameter set; delete the video cache")
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k % 2 else -(k // 2)


class _Writer:
    def __init__(self) -> None:
        self.bits: list[str] = []

    def u(self, n: int, value: int) -> None:
        if n:
            self.bits.append(format(value, f"0{n}b"))

    def ue(self, value: int) -> None:
        code = format(value + 1, "b")
        self.bits.append("0" * (len(code) - 1) + code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    @property
    def length(self) -> int:
        return sum(len(b) for b in self.bits)

    def align(self, bit: str) -> None:
        self.bits.append(bit * (-self.length % 8))

    def data(self) -> bytes:
        bits = "".join(self.bits)
        assert len(bits) % 8 == 0
        return int(bits, 2).to_bytes(len(bits) // 8, "big") if bits else b""


def _unescape(payload: bytes) -> bytes:
    """NAL payload -> RBSP (emulation prevention bytes removed)."""
    return payload.replace(b"\x00\x00\x03", b"\x00\x00") if b"\x00\x00\x03" in payload else payload


_NEEDS_ESCAPE = re.compile(rb"\x00\x00(?=[\x00-\x03])")


def _escape(rbsp: bytes) -> bytes:
    """RBSP -> NAL payload (an emulation prevention byte after every 00 00 before 00-03)."""
    out = _NEEDS_ESCAPE.sub(b"\x00\x00\x03", rbsp)
    return out + b"\x03" if out.endswith(b"\x00") else out


def _nal_units(data: bytes) -> list[bytes]:
    """The NAL units of an Annex B stream, without start codes."""
    starts = [m.end() for m in re.finditer(b"\x00\x00\x01", data)]
    out = []
    for a, b in zip(starts, [*starts[1:], len(data) + 3], strict=True):
        unit = data[a : b - 3]
        out.append(unit.rstrip(b"\x00") if b <= len(data) else unit)
    return out


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class StreamParams:
    """What a skipped picture's slice header needs from the stream's SPS and PPS."""

    frame_num_bits: int
    macroblocks: int
    pps_id: int
    cabac: bool
    weighted: bool
    refs_l0: int
    chroma: bool
    init_qp: int
    deblocking_control: bool
    redundant_pic_cnt: bool
    poc_type: int = 2
    refs: int = 1
    progressive: bool = True
    slice_groups: int = 1
    width_mbs: int = 0
    """Macroblocks per row of the picture."""

    @property
    def plain(self) -> bool:
        """Progressive frames, one slice group, picture order from ``frame_num``: the slice
        headers this module reads and writes."""
        return self.poc_type == 2 and self.progressive and self.slice_groups == 1

    def check_skippable(self) -> None:
        """Refuse a stream whose pictures ``skipped_frame`` cannot repeat (the encoder
        settings are ours, so that is a bug)."""
        if not self.plain or self.refs != 1:
            raise RenderError(
                "video: the encoder's stream cannot carry skipped pictures "
                f"(poc type {self.poc_type}, {self.refs} reference frames); "
                "this is a bug in articast"
            )


_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}


def stream_params(data: bytes) -> StreamParams:
    """Read the first SPS and PPS of an encoded chunk (``StreamParams.check_skippable`` says
    whether its pictures can be skipped)."""
    sps = pps = b""
    for nal in _nal_units(data[:65536]):  # they open the chunk, before its first slice
        kind = nal[0] & 0x1F if nal else 0
        if kind == 7 and not sps:
            sps = _unescape(nal[1:])
        elif kind == 8 and not pps:
            pps = _unescape(nal[1:])
    if not sps or not pps:
        raise RenderError("video: an encoded chunk has no parameter sets; delete the video cache")

    r = _Reader(sps)
    profile = r.u(8)
    r.u(16)  # constraint flags, level
    r.ue()  # seq_parameter_set_id
    chroma_format = 1
    if profile in _HIGH_PROFILES:
        chroma_format = r.ue()
        if chroma_format == 3:
            r.u(1)
        r.ue()
        r.ue()  # bit depths
        r.u(1)
        if r.u(1):
            raise RenderError("video: x264 wrote scaling matrices; cannot skip pictures")
    frame_num_bits = r.ue() + 4
    poc_type = r.ue()
    if poc_type == 0:
        r.ue()
    refs = r.ue() if poc_type != 1 else -1
    r.u(1)  # gaps_in_frame_num_value_allowed_flag
    width = r.ue() + 1
    height = r.ue() + 1
    frame_mbs_only = r.u(1)

    p = _Reader(pps)
    pps_id = p.ue()
    p.ue()
    cabac = bool(p.u(1))
    p.u(1)  # bottom_field_pic_order_in_frame_present_flag (fields only)
    groups = p.ue() + 1
    refs_l0 = p.ue() + 1
    p.ue()
    weighted = bool(p.u(1))
    p.u(2)
    init_qp = 26 + p.se()
    p.se()
    p.se()
    deblocking_control = bool(p.u(1))
    p.u(1)
    redundant = bool(p.u(1))
    return StreamParams(
        frame_num_bits, width * height, pps_id, cabac, weighted, refs_l0,
        chroma_format != 0, init_qp, deblocking_control, redundant,
        poc_type, refs, bool(frame_mbs_only), groups, width,
    )  # fmt: skip


def parameter_sets(data: bytes) -> tuple[bytes, bytes]:
    """The first SPS and PPS NAL units of a stream (payloads, header byte included)."""
    sps = pps = b""
    for nal in _nal_units(data[:65536]):
        kind = nal[0] & 0x1F if nal else 0
        if kind == 7 and not sps:
            sps = nal
        elif kind == 8 and not pps:
            pps = nal
    if not sps or not pps:
        raise RenderError("video: an encoded chunk has no parameter sets; delete the video cache")
    return sps, pps


# --------------------------------------------------------------------------- skipped frames


@functools.lru_cache(maxsize=8)
def _cabac_all_skipped(macroblocks: int) -> str:
    """CABAC slice data of a P slice whose every macroblock is skipped (H.264 9.3.4.2-9.3.4.6):
    per macroblock ``mb_skip_flag`` 1 (context 11: both neighbours skipped or absent, so the
    context increment is always 0) and ``end_of_slice_flag`` (0, then 1 after the last)."""
    m, n = _SKIP_CTX
    pre = min(126, max(1, ((m * _SKIP_QP) >> 4) + n))
    state, mps = (63 - pre, 0) if pre <= 63 else (pre - 64, 1)
    if mps != 1:  # the skip flag must be the likely symbol; true for these (m, n, QP)
        raise RenderError("video: skipped-picture contexts are wrong; this is a bug in articast")
    low, rng, outstanding, first = 0, 510, 0, True
    out: list[str] = []

    def put(bit: int) -> None:
        nonlocal outstanding, first
        if first:
            first = False
        else:
            out.append("1" if bit else "0")
        if outstanding:
            out.append(("0" if bit else "1") * outstanding)
            outstanding = 0

    def renorm() -> None:
        nonlocal low, rng, outstanding
        while rng < 256:
            if low < 256:
                put(0)
            elif low >= 512:
                low -= 512
                put(1)
            else:
                low -= 256
                outstanding += 1
            rng <<= 1
            low <<= 1

    for mb in range(macroblocks):
        rng -= _RANGE_LPS[state][(rng >> 6) & 3]  # the MPS: mb_skip_flag = 1
        state = min(state + 1, 62)
        renorm()
        rng -= 2  # end_of_slice_flag
        if mb < macroblocks - 1:
            renorm()
        else:  # 1: the last macroblock; flush (its last bit is the rbsp_stop_one_bit)
            low += rng
            rng = 2
            renorm()
            put((low >> 9) & 1)
            out.append(format(((low >> 7) & 3) | 1, "02b"))
    return "".join(out)


@functools.lru_cache(maxsize=64)
def skipped_frame(params: StreamParams, frame_num: int) -> bytes:
    """The access unit (delimiter and one P slice) of a picture that repeats the one before it,
    the ``frame_num``-th reference frame after the IDR."""
    return _AUD_P + skipped_slice(params, frame_num, 0, params.macroblocks, alone=True)


@functools.lru_cache(maxsize=64)
def skipped_slice(
    params: StreamParams, frame_num: int, first_mb: int, count: int, *, alone: bool = False
) -> bytes:
    """A P slice (start code included) that repeats macroblocks ``first_mb`` to
    ``first_mb + count - 1`` of the picture before it, in the ``frame_num``-th reference
    frame after the IDR: the whole picture when ``alone``, else beside other slices
    (``slice_type`` 0; no deblocking, so its edge with them is left as it is)."""
    w = _Writer()
    w.ue(first_mb)  # first_mb_in_slice
    w.ue(5 if alone else 0)  # slice_type: P (5: every slice of the picture)
    w.ue(params.pps_id)
    w.u(params.frame_num_bits, frame_num % (1 << params.frame_num_bits))
    if params.redundant_pic_cnt:
        w.ue(0)
    w.u(1, 0)  # num_ref_idx_active_override_flag
    w.u(1, 0)  # ref_pic_list_modification_flag_l0
    if params.weighted:  # pred_weight_table: no weights
        w.ue(0)
        if params.chroma:
            w.ue(0)
        for _ in range(params.refs_l0):
            w.u(1, 0)
            if params.chroma:
                w.u(1, 0)
    w.u(1, 0)  # adaptive_ref_pic_marking_mode_flag: sliding window
    if params.cabac:
        w.ue(0)  # cabac_init_idc
    w.se(_SKIP_QP - params.init_qp)  # slice_qp_delta
    if params.deblocking_control:
        w.ue(1)  # disable_deblocking_filter_idc: nothing to filter
    if params.cabac:
        w.align("1")  # cabac_alignment_one_bit
        w.bits.append(_cabac_all_skipped(count))
    else:
        w.ue(count)  # mb_skip_run
        w.u(1, 1)  # rbsp_stop_one_bit
    w.align("0")
    return _START + b"\x41" + _escape(w.data())  # nal_ref_idc 2, type 1


def _payloads(unit: bytes, kind: int) -> Iterator[tuple[int, int]]:
    """Where the payload (after the header byte) of each NAL unit of type ``kind`` in an
    access unit starts and ends."""
    for m in re.finditer(b"\x00\x00\x01", unit):
        if m.end() >= len(unit) or unit[m.end()] & 0x1F != kind:
            continue
        begin = m.end() + 1
        end = unit.find(b"\x00\x00\x01", begin)
        end = len(unit) if end < 0 else end
        while end > begin and unit[end - 1] == 0 and end < len(unit):
            end -= 1  # a 4-byte start code's leading zero belongs to the next unit
        yield begin, end


def is_idr(unit: bytes) -> bool:
    """The access unit holds an IDR picture (its slices are NAL type 5)."""
    for m in re.finditer(b"\x00\x00\x01", unit):
        kind = unit[m.end()] & 0x1F if m.end() < len(unit) else 0
        if kind in (1, 5):
            return kind == 5
    return False


def with_frame_num(unit: bytes, params: StreamParams, frame_num: int) -> bytes:
    """An encoded access unit with the ``frame_num`` of its P slices set (IDRs stay 0)."""
    out: list[bytes] = []
    pos = 0
    for begin, end in _payloads(unit, 1):
        head = _unescape(unit[begin : min(end, begin + 32)])
        r = _Reader(head)
        r.ue()
        r.ue()
        r.ue()
        at = r.pos
        bits = r.bits
        value = format(frame_num % (1 << params.frame_num_bits), f"0{params.frame_num_bits}b")
        if bits[at : at + params.frame_num_bits] == value:
            continue
        rbsp = bytearray(_unescape(unit[begin:end]))
        for i, bit in enumerate(value):
            byte, shift = divmod(at + i, 8)
            mask = 0x80 >> shift
            rbsp[byte] = (rbsp[byte] | mask) if bit == "1" else (rbsp[byte] & ~mask)
        out.append(unit[pos:begin])
        out.append(_escape(bytes(rbsp)))
        pos = end
    if not out:
        return unit
    out.append(unit[pos:])
    return b"".join(out)


class _IdrHeader(NamedTuple):
    """An IDR I slice's header as read (bit positions in the RBSP)."""

    reader: _Reader
    id_start: int
    """Where ``idr_pic_id`` starts."""
    id_end: int
    end: int
    """Where the header ends (the CABAC alignment bits follow)."""
    qp_delta: int
    filter_idc: int
    """``disable_deblocking_filter_idc`` (0 without deblocking control)."""
    alpha: int
    beta: int


def _idr_header(rbsp: bytes, params: StreamParams) -> _IdrHeader:
    """An IDR I slice's header: where ``idr_pic_id`` starts and ends, where the header ends,
    and the QP and deblocking fields (H.264 7.3.3 for our streams: progressive,
    pic_order_cnt_type 2, CABAC)."""
    r = _Reader(rbsp)
    r.ue()  # first_mb_in_slice
    kind = r.ue() % 5
    r.ue()  # pic_parameter_set_id
    r.u(params.frame_num_bits)
    start = r.pos
    r.ue()  # idr_pic_id
    end = r.pos
    if kind != 2 or not params.cabac:
        raise RenderError("video: an IDR that is not a CABAC I slice; this is a bug in articast")
    if params.redundant_pic_cnt:
        r.ue()
    r.u(2)  # dec_ref_pic_marking: no_output_of_prior_pics_flag, long_term_reference_flag
    qp_delta = r.se()  # slice_qp_delta
    filter_idc = alpha = beta = 0
    if params.deblocking_control:
        filter_idc = r.ue()
        if filter_idc != 1:
            alpha, beta = r.se(), r.se()
    return _IdrHeader(r, start, end, r.pos, qp_delta, filter_idc, alpha, beta)


def idr_pic_id(unit: bytes, params: StreamParams) -> int | None:
    """The ``idr_pic_id`` of an IDR access unit; ``None`` for any other picture (and for a
    stream whose slice headers this module does not read)."""
    if not params.plain or not params.cabac:
        return None
    for begin, end in _payloads(unit, 5):
        head = _idr_header(_unescape(unit[begin : min(end, begin + 64)]), params)
        return _ue_value(head.reader.bits[head.id_start : head.id_end])
    return None


def _ue_value(bits: str) -> int:
    zeros = len(bits) // 2
    return (1 << zeros) - 1 + (int(bits[zeros + 1 :], 2) if zeros else 0)


def with_idr_pic_id(unit: bytes, params: StreamParams, value: int) -> bytes:
    """An IDR access unit with its slices' ``idr_pic_id`` set to ``value`` (consecutive IDRs
    must differ, H.264 7.4.3). The field's length may change: the header is written again
    and padded to the byte where the CABAC data starts (``cabac_alignment_one_bit``)."""
    out: list[bytes] = []
    pos = 0
    code = _Writer()
    code.ue(value)
    new_id = "".join(code.bits)
    for begin, end in _payloads(unit, 5):
        rbsp = _unescape(unit[begin:end])
        read = _idr_header(rbsp[:64], params)
        r, start, stop, header = read.reader, read.id_start, read.id_end, read.end
        data_at = -(-header // 8)
        if r.bits[header : data_at * 8] != "1" * (data_at * 8 - header):
            raise RenderError("video: an IDR slice without CABAC alignment; a bug in articast")
        bits = r.bits[:start] + new_id + r.bits[stop:header]
        bits += "1" * (-len(bits) % 8)
        head = int(bits, 2).to_bytes(len(bits) // 8, "big")
        out += [unit[pos:begin], _escape(head + rbsp[data_at:])]
        pos = end
    if not out:
        return unit
    out.append(unit[pos:])
    return b"".join(out)


# --------------------------------------------------------------------------- intra slices


def idr_slices(unit: bytes) -> list[bytes]:
    """The IDR slices of an access unit (NAL payloads, header byte included)."""
    return [unit[begin - 1 : end] for begin, end in _payloads(unit, 5)]


def moved_intra_slice(
    nal: bytes,
    src: StreamParams,
    dst: StreamParams,
    *,
    first_mb: int,
    frame_num: int,
    idr: bool,
    own_edges: bool,
) -> bytes:
    """An I slice of an all-intra stream (``src``: x264's IDR slice of a strip of the
    picture, as wide as the picture) written as a slice of ``dst``'s pictures that starts at
    macroblock ``first_mb`` (start code included).

    Nothing in an I slice refers outside it: intra prediction, CABAC contexts and the QP
    predictor see macroblocks of other slices as absent, exactly as they see the strip's
    picture edges. Only the deblocking filter crosses slices: ``own_edges`` filters inside
    the slice only (``disable_deblocking_filter_idc`` 2), where the strip's picture edge
    was, so the slice decodes to exactly what x264 made of the strip. The header is written
    again (``dst``'s parameter sets, ``frame_num``; an IDR picture or not) up to where the
    CABAC data starts, which is copied as it is.
    """
    if not (src.cabac and dst.cabac and src.plain and dst.plain):
        raise RenderError("video: a strip that is not CABAC; this is a bug in articast")
    if nal[0] & 0x1F != 5:
        raise RenderError("video: a strip that is not an IDR slice; this is a bug in articast")
    rbsp = _unescape(nal[1:])
    head = _idr_header(rbsp[:64], src)
    r, header = head.reader, head.end
    qp = src.init_qp + head.qp_delta
    filter_idc, alpha, beta = head.filter_idc, head.alpha, head.beta
    data_at = -(-header // 8)
    if r.bits[header : data_at * 8] != "1" * (data_at * 8 - header):
        raise RenderError("video: a strip without CABAC alignment; this is a bug in articast")
    w = _Writer()
    w.ue(first_mb)
    w.ue(7 if idr else 2)  # I (7: every slice of the picture)
    w.ue(dst.pps_id)
    w.u(dst.frame_num_bits, frame_num % (1 << dst.frame_num_bits))
    if idr:
        w.ue(0)  # idr_pic_id (the join renumbers consecutive IDRs)
    if dst.redundant_pic_cnt:
        w.ue(0)
    if idr:
        w.u(2, 0)  # no_output_of_prior_pics_flag, long_term_reference_flag
    else:
        w.u(1, 0)  # adaptive_ref_pic_marking_mode_flag: sliding window
    w.se(qp - dst.init_qp)
    if dst.deblocking_control:
        if filter_idc == 0 and own_edges:
            filter_idc = 2
        w.ue(filter_idc)
        if filter_idc != 1:
            w.se(alpha)
            w.se(beta)
    elif filter_idc != 1 and src.deblocking_control:
        raise RenderError("video: strips need deblocking control; this is a bug in articast")
    w.align("1")  # cabac_alignment_one_bit
    kind = bytes([0x65 if idr else 0x41])  # IDR: nal_ref_idc 3, type 5; else 2, type 1
    return _START + kind + _escape(w.data() + rbsp[data_at:])
