"""The validity dates of the first certificate in a PEM file, read from its DER.

Enough ASN.1 to walk Certificate > TBSCertificate > Validity (RFC 5280 4.1): chronochrome names
when a C2PA certificate ends without depending on a crypto library (c2pa checks signatures).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from pathlib import Path

_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL)
_SEQUENCE, _EXPLICIT_0, _UTC_TIME, _GENERALIZED_TIME = 0x30, 0xA0, 0x17, 0x18


def certificate_dates(path: Path) -> tuple[datetime.datetime, datetime.datetime] | None:
    """(not before, not after) in UTC, or None when the file holds no readable certificate."""
    try:
        match = _PEM.search(path.read_bytes())
        if match is None:
            return None
        return validity(base64.b64decode(b"".join(match.group(1).split()), validate=True))
    except (OSError, ValueError, IndexError, binascii.Error):
        return None


def validity(der: bytes) -> tuple[datetime.datetime, datetime.datetime]:
    """The Validity of a DER certificate; ValueError or IndexError when it is not one."""
    _, cert, _ = _element(der, 0, _SEQUENCE)
    _, tbs, _ = _element(der, cert, _SEQUENCE)
    at = tbs
    if der[at] == _EXPLICIT_0:  # version, present from v2 on
        at = _skip(der, at)
    at = _skip(der, at)  # serialNumber
    at = _skip(der, at)  # signature algorithm
    at = _skip(der, at)  # issuer
    _, dates, _ = _element(der, at, _SEQUENCE)
    not_before = _time(der, dates)
    return not_before, _time(der, _skip(der, dates))


def _element(der: bytes, at: int, tag: int | None = None) -> tuple[int, int, int]:
    """(start, content start, end) of the TLV at `at`."""
    if tag is not None and der[at] != tag:
        raise ValueError(f"expected ASN.1 tag {tag:#x} at {at}, found {der[at]:#x}")
    length, content = der[at + 1], at + 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(der[content:content + count], "big")
        content += count
    if content + length > len(der):
        raise ValueError("truncated DER")
    return at, content, content + length


def _skip(der: bytes, at: int) -> int:
    return _element(der, at)[2]


def _time(der: bytes, at: int) -> datetime.datetime:
    _, content, end = _element(der, at)
    text = der[content:end].decode("ascii")
    if der[at] == _UTC_TIME:  # YYMMDDHHMMSSZ; RFC 5280: YY >= 50 is 19YY
        year = int(text[:2])
        text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
    elif der[at] != _GENERALIZED_TIME:
        raise ValueError(f"expected a time at {at}")
    return datetime.datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=datetime.UTC)
