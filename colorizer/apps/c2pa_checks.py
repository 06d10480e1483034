"""Checks of the C2PA settings before any photo is signed, and what c2pa's errors mean.

`chronochrome serve` must refuse to start, and `chronochrome colorize` to begin a batch, with
settings that cannot sign (a missing or swapped file, a key c2pa cannot read, an unknown
algorithm, a TSA URL that is no URL), with a message that names the file and the fix, rather
than fail every photo. Pure Python: these run
without the optional c2pa extra; `explain` turns c2pa's own error text (from the trial
signature at start, or a later one) into such a message.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from colorizer.apps.c2pa_config import C2paConfig
from colorizer.apps.cert_dates import certificate_dates
from colorizer.errors import ChronochromeError

ALGORITHMS = ("es256", "es384", "es512", "ps256", "ps384", "ps512", "ed25519")
_TO_PKCS8 = "openssl pkcs8 -topk8 -nocrypt -in {key} -out key-pkcs8.pem"


class SigningUnavailableError(ChronochromeError):
    """C2PA signing was configured but cannot run."""


def check_config(config: C2paConfig) -> tuple[bytes, bytes]:
    """(certificate chain, private key) as PEM bytes, or an error naming what to fix."""
    if config.alg.lower() not in ALGORITHMS:
        raise SigningUnavailableError(
            f"C2PA alg {config.alg!r} is not supported: use one of {', '.join(ALGORITHMS)} "
            "(es256 for a P-256 key)")
    if config.tsa_url is not None:
        parts = urlsplit(config.tsa_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SigningUnavailableError(
                f"C2PA tsa_url {config.tsa_url!r} is not an http(s) URL: give the time-stamp "
                "authority's URL (e.g. http://timestamp.digicert.com), or leave tsa_url out")
    chain = _read(config.cert_chain, "certificate chain (cert_chain, --c2pa-cert)")
    key = _read(config.private_key, "private key (private_key, --c2pa-key)")
    _check_chain(chain, config.cert_chain)
    _check_key(key, config.private_key)
    return chain, key


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SigningUnavailableError(f"the C2PA {what} {path} does not exist: give the path "
                                      "of its PEM file, or remove the c2pa settings") from None
    except IsADirectoryError:
        raise SigningUnavailableError(f"the C2PA {what} {path} is a folder: give the path of "
                                      "its PEM file") from None
    except OSError as exc:
        raise SigningUnavailableError(f"cannot read the C2PA {what} {path}: "
                                      f"{exc.strerror or exc}; let the user that signs (the "
                                      "service's, or yours) read it") from None


def _check_chain(chain: bytes, path: Path) -> None:
    if b"PRIVATE KEY-----" in chain:
        raise SigningUnavailableError(
            f"the C2PA certificate chain {path} holds a private key: are the certificate and "
            "the key swapped? cert_chain (--c2pa-cert) is the certificates, private_key "
            "(--c2pa-key) the key")
    if b"-----BEGIN CERTIFICATE-----" not in chain:
        raise SigningUnavailableError(
            f"the C2PA certificate chain {path} is not PEM: it needs '-----BEGIN "
            "CERTIFICATE-----' blocks, the signing certificate first, then its intermediates "
            "(convert DER with: openssl x509 -inform der -in cert.der -out cert.pem)")


def _check_key(key: bytes, path: Path) -> None:
    if b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in key:
        raise SigningUnavailableError(
            f"the C2PA private key {path} is encrypted; c2pa needs an unencrypted PKCS#8 key "
            f"(kept readable only by the user that signs): {_TO_PKCS8.format(key=path)}")
    if b"-----BEGIN EC PRIVATE KEY-----" in key or b"-----BEGIN RSA PRIVATE KEY-----" in key:
        raise SigningUnavailableError(
            f"the C2PA private key {path} is in the old OpenSSL format ('EC/RSA PRIVATE KEY'); "
            f"c2pa reads PKCS#8 ('PRIVATE KEY'): {_TO_PKCS8.format(key=path)}")
    if b"-----BEGIN PRIVATE KEY-----" not in key:
        hint = (" (it holds certificates: are the certificate and the key swapped?)"
                if b"CERTIFICATE-----" in key else "")
        raise SigningUnavailableError(
            f"the C2PA private key {path} is not a PEM PKCS#8 key ('-----BEGIN PRIVATE "
            f"KEY-----'){hint}")


def explain(message: str, config: C2paConfig) -> str:
    """What c2pa's error `message` means for these settings, and how to fix it."""
    text = message.lower()
    if "does not match" in text:
        return (f"the C2PA private key {config.private_key} does not belong to the signing "
                f"certificate (the first in {config.cert_chain}): give that certificate's key, "
                "or the certificate issued for this key")
    if "not valid at time of signing" in text or "expired" in text:
        return (f"the C2PA signing certificate in {config.cert_chain} is not valid now"
                f"{validity(config.cert_chain)}: renew it (or correct this machine's clock)")
    if config.tsa_url and ("http" in text or "time stamp" in text or "timestamp" in text):
        return (f"the C2PA time-stamp authority {config.tsa_url} could not time-stamp "
                f"({message}): check the URL and that this machine reaches it, or leave "
                "tsa_url out to sign without a time stamp")
    if "credentials" in text or "private key" in text or "algorithm" in text:
        return (f"c2pa refused the key {config.private_key} or the certificate "
                f"{config.cert_chain} for alg {config.alg} ({message}): es256 needs a P-256 "
                "key (es384 P-384, ps256 RSA-PSS, ed25519 Ed25519), as PKCS#8 PEM")
    return (f"C2PA signing failed ({message}); use an end-entity certificate with "
            "digitalSignature key usage, chained to a CA, and its PKCS#8 private key")


def validity(chain_path: Path) -> str:
    """' (valid from A to B)' of the first certificate, when it can be read."""
    dates = certificate_dates(chain_path)
    if dates is None:
        return ""
    start, end = (d.strftime("%Y-%m-%d %H:%M UTC") for d in dates)
    return f" (valid from {start} to {end})"
