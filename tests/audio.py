"""Real recordings for tests, made here (no encoder needed): MPEG-1 Layer III frames of silence
and Ogg Opus pages of silent packets, optionally with the tags a recorder writes."""

from __future__ import annotations

import io

from mutagen.id3 import COMM, ID3, TIT2
from mutagen.ogg import OggPage

# MPEG-1 Layer III, 32 kbit/s, 44.1 kHz, mono, no CRC: 104-byte frames of 1152 samples whose
# side information is all zeros (silence).
MP3_FRAME = b"\xff\xfb\x10\xc0" + bytes(100)
MP3_FRAME_SECONDS = 1152 / 44100


def mp3_bytes(seconds: float = 2.0, *, tags: bool = False) -> bytes:
    data = MP3_FRAME * max(1, round(seconds / MP3_FRAME_SECONDS))
    if not tags:
        return data
    buffer = io.BytesIO(data)
    tag = ID3()
    tag.add(TIT2(encoding=3, text="Đền Kỳ Cùng"))
    tag.add(COMM(encoding=3, lang="vie", desc="", text="recorded at home, 21.85 N 106.76 E"))
    tag.save(buffer)
    # An ID3v1 block at the end as well, as older encoders write.
    return buffer.getvalue() + b"TAG" + b"Den Ky Cung".ljust(30, b"\0") + bytes(94)


def _opus_tags(comments: list[str]) -> bytes:
    vendor = b"streetinfo tests"
    out = b"OpusTags" + len(vendor).to_bytes(4, "little") + vendor
    out += len(comments).to_bytes(4, "little")
    for comment in comments:
        raw = comment.encode()
        out += len(raw).to_bytes(4, "little") + raw
    return out


def opus_bytes(seconds: float = 2.0, *, tags: bool = False) -> bytes:
    head = (
        b"OpusHead"
        + bytes([1, 1])
        + (312).to_bytes(2, "little")
        + (48000).to_bytes(4, "little")
        + bytes(2)
        + bytes([0])
    )
    comments = ["TITLE=Đền Kỳ Cùng", "LOCATION=21.85 N 106.76 E"] if tags else []
    packets = round(seconds / 0.02)
    pages = []
    for sequence, (payload, position) in enumerate(
        ((head, 0), (_opus_tags(comments), 0), (None, 312 + packets * 960))
    ):
        page = OggPage()
        page.serial = 0x5EED
        page.sequence = sequence
        page.position = position
        page.packets = [payload] if payload else [b"\xf8\xff\xfe"] * packets
        page.first = sequence == 0
        page.last = sequence == 2
        pages.append(page.write())
    return b"".join(pages)


def _box(kind: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


def _track(handler: bytes, seconds: float, sample_entry: bytes) -> bytes:
    rate = 44100
    tkhd = _box(b"tkhd", b"\x00\x00\x00\x07" + bytes(80))
    mdhd = _box(
        b"mdhd",
        bytes(12) + rate.to_bytes(4, "big") + int(seconds * rate).to_bytes(4, "big") + bytes(4),
    )
    hdlr = _box(b"hdlr", bytes(8) + handler + bytes(12) + b"Handler\x00")
    dinf = _box(
        b"dinf",
        _box(b"dref", bytes(4) + (1).to_bytes(4, "big") + _box(b"url ", b"\x00\x00\x00\x01")),
    )
    stbl = _box(
        b"stbl",
        _box(b"stsd", bytes(4) + (1).to_bytes(4, "big") + sample_entry)
        + _box(b"stts", bytes(8))
        + _box(b"stsc", bytes(8))
        + _box(b"stsz", bytes(12))
        + _box(b"stco", bytes(8)),
    )
    minf = _box(b"minf", _box(b"smhd", bytes(8)) + dinf + stbl)
    return _box(b"trak", tkhd + _box(b"mdia", mdhd + hdlr + minf))


def _aac_entry() -> bytes:
    # AAC LC, 44.1 kHz, mono: ES descriptor, decoder configuration, decoder-specific info.
    specific = b"\x05\x02\x12\x08"
    config = b"\x04" + bytes([13 + len(specific)]) + b"\x40\x15" + bytes(11) + specific
    es = b"\x03" + bytes([3 + len(config) + 3]) + b"\x00\x01\x00" + config + b"\x06\x01\x02"
    esds = _box(b"esds", bytes(4) + es)
    entry = bytes(6) + (1).to_bytes(2, "big") + bytes(8) + (1).to_bytes(2, "big")
    entry += (16).to_bytes(2, "big") + bytes(4) + (44100 << 16).to_bytes(4, "big")
    return _box(b"mp4a", entry + esds)


def m4a_bytes(
    seconds: float = 2.0, *, tags: bool = False, video: bool = False, place: bool = False
) -> bytes:
    """An M4A (AAC) file: its sample data first, then the movie box (so boxes added to the movie
    move nothing the tables point at). `place`: a QuickTime ©xyz location in the user data, as
    an iPhone writes; `video`: a second, video track."""
    mvhd = _box(
        b"mvhd",
        bytes(12) + (1000).to_bytes(4, "big") + int(seconds * 1000).to_bytes(4, "big") + bytes(80),
    )
    moov = mvhd + _track(b"soun", seconds, _aac_entry())
    if video:
        moov += _track(b"vide", seconds, _box(b"avc1", bytes(78)))
    if place:
        xyz = b"+21.8537+106.7615/"
        moov += _box(b"udta", _box(b"\xa9xyz", len(xyz).to_bytes(2, "big") + b"\x15\xc7" + xyz))
    data = _box(b"ftyp", b"M4A " + bytes(4) + b"M4A mp42isom") + _box(b"mdat", bytes(400))
    data += _box(b"moov", moov)
    if not tags:
        return data
    from mutagen.mp4 import MP4

    buffer = io.BytesIO(data)
    audio = MP4(buffer)
    audio.add_tags()
    audio.tags["\xa9nam"] = ["Đền Kỳ Cùng"]
    audio.tags["\xa9cmt"] = ["recorded at home, 21.85 N 106.76 E"]
    audio.save(buffer)
    return buffer.getvalue()
