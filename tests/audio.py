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
