"""The settings of C2PA signing, shared by `chronochrome serve` and `chronochrome colorize`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from colorizer.errors import ChronochromeError


@dataclass(frozen=True)
class C2paConfig:
    """C2PA signing (the optional `c2pa` extra): a PEM certificate chain and its private key."""

    cert_chain: Path  # PEM, signing certificate first, then intermediates (not the root)
    private_key: Path  # PEM (PKCS#8) private key of the signing certificate
    alg: str = "es256"  # es256 | es384 | es512 | ps256 | ps384 | ps512 | ed25519
    tsa_url: str | None = None  # RFC 3161 time-stamp authority; None = no time stamp


@dataclass(frozen=True)
class SigningKeys:
    """The settings with their certificate chain and private key read (and checked) once by
    the process that was given the files: what `--engine ray` sends to its workers, so the
    key reaches them in memory, never through a file others could read, and a worker on a
    node without the driver's files signs too. Not in `repr`: the key in a log or an error."""

    config: C2paConfig
    chain: bytes = field(repr=False)  # PEM, as in config.cert_chain
    key: bytes = field(repr=False)  # PEM PKCS#8, as in config.private_key


def config_from_flags(cert: Path | None, key: Path | None) -> C2paConfig | None:
    """The settings of --c2pa-cert and --c2pa-key: None without either, an error with one."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise ChronochromeError("C2PA signing needs both --c2pa-cert and --c2pa-key")
    return C2paConfig(cert_chain=cert, private_key=key)
