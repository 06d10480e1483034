"""A decompression bomb as a few bytes: the tests of every reader that must refuse one."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def bomb_png(path: Path, side: int = 50_000) -> Path:
    """A 74-byte PNG whose header claims `side` x `side` gray pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
    return path
