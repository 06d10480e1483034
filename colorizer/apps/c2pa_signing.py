"""C2PA signing of outputs (optional: `pip install 'chronochrome[c2pa]'`), one implementation
for `chronochrome serve` and `chronochrome colorize --c2pa-cert/--c2pa-key`.

`C2paSigner(config)` checks the settings (`c2pa_checks`) and signs a 1x1 image once, so that a
key that does not match its certificate, an expired certificate or an unreachable time-stamp
authority stop the service at start, or a batch before its first photo, with a message naming
the fix, instead of failing every photo later. The manifest itself is built in
`c2pa_manifest`; `colorizer.apps.outputs.encode_outputs(signer=...)` calls `sign`, or `sign_file` for
an image staged in its file as it was encoded (the service, the batch CLI).
"""

from __future__ import annotations

import datetime
import io
import json
import logging
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image

from colorizer.apps.c2pa_checks import SigningUnavailableError, check_config, explain
from colorizer.apps.c2pa_config import C2paConfig, SigningKeys
from colorizer.apps.c2pa_manifest import build_manifest
from colorizer.apps.cert_dates import certificate_dates
from colorizer.errors import ChronochromeError

__all__ = ["C2paSigner", "SigningFailedError", "SigningUnavailableError", "read_c2pa"]

log = logging.getLogger("chronochrome.c2pa")
EXPIRY_WARNING = datetime.timedelta(days=30)


class SigningFailedError(ChronochromeError):
    """A signature that failed after the start check (the certificate expired meanwhile, the
    TSA went down): that photo fails, with c2pa's reason explained; the others go on."""


class C2paSigner:
    """Adds a signed C2PA manifest (the original as parent, the AI color change, the model)."""

    def __init__(self, config: C2paConfig) -> None:
        self._use(SigningKeys(config, *check_config(config)))
        try:
            self._sign_once()
        except self._c2pa.C2paError as exc:
            raise SigningUnavailableError(explain(str(exc), config)) from None
        _warn_if_expiring(config)

    @classmethod
    def from_keys(cls, keys: SigningKeys) -> C2paSigner:
        """A signer of the chain and key that a checked signer read (its `keys`): a Ray
        worker's. It reads no file and signs no trial image (the driver's did); a signature
        that fails is that photo's failure."""
        signer = cls.__new__(cls)
        signer._use(keys)
        return signer

    def _use(self, keys: SigningKeys) -> None:
        try:
            import c2pa
        except ImportError as exc:
            raise SigningUnavailableError(
                "C2PA signing is configured but c2pa-python is not installed: "
                "pip install 'chronochrome[c2pa]', or remove the c2pa settings") from exc
        config = keys.config
        self._c2pa, self.config, self.keys = c2pa, config, keys
        self._info = c2pa.C2paSignerInfo(config.alg.lower().encode(), keys.chain, keys.key,
                                         config.tsa_url.encode() if config.tsa_url else None)

    def _sign_once(self) -> None:
        """Sign a 1x1 PNG: c2pa checks the key against the certificate, the certificate's
        validity and the TSA only when it signs."""
        probe = io.BytesIO()
        Image.new("RGB", (1, 1)).save(probe, format="PNG")
        self._sign(probe.getvalue(), "image/png", build_manifest({}, "start-check.png"))

    def _sign(self, data: bytes, mime: str, manifest: dict[str, Any]) -> bytes:
        out = io.BytesIO()
        self._sign_stream(io.BytesIO(data), out, mime, manifest)
        return out.getvalue()

    def _sign_stream(self, source: BinaryIO, dest: BinaryIO, mime: str,
                     manifest: dict[str, Any]) -> None:
        signer = self._c2pa.Signer.from_info(self._info)
        try:
            with self._c2pa.Builder(json.dumps(manifest)) as builder:
                builder.sign(signer, mime, source, dest)
        finally:
            signer.close()

    def sign(self, data: bytes, mime: str, record: dict[str, Any], title: str) -> bytes:
        """`data` with the signed manifest of `record` (the unsigned provenance record)."""
        try:
            return self._sign(data, mime, build_manifest(record, title))
        except self._c2pa.C2paError as exc:
            raise SigningFailedError(
                f"C2PA signing failed: {explain(str(exc), self.config)}") from None

    def sign_file(self, source: Path, dest: BinaryIO, mime: str, record: dict[str, Any],
                  title: str) -> None:
        """`sign`, from the file `source` into `dest` (a file open w+b: c2pa seeks back in
        it): c2pa reads and writes streams a piece at a time, so a 16-bit master's 500 MB
        PNG is never whole in memory (with `sign` it was, twice: the bytes and the signed
        copy). The manifest is the one `sign` embeds."""
        written = _KeptWriteError(dest)
        try:
            with source.open("rb") as handle:
                self._sign_stream(handle, written, mime, build_manifest(record, title))
        except self._c2pa.C2paError as exc:
            if written.error is not None:  # a full disk stays a full disk (the service: 507)
                raise written.error from None
            raise SigningFailedError(
                f"C2PA signing failed: {explain(str(exc), self.config)}") from None


class _KeptWriteError:
    """A file that keeps the OSError its write met: c2pa reports it as its own error."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle, self.error = handle, None

    def write(self, data: bytes) -> int:
        try:
            return self.handle.write(data)
        except OSError as exc:
            self.error = exc
            raise

    def __getattr__(self, name: str) -> Any:  # read, seek, tell, flush: the file's own
        return getattr(self.handle, name)


def _warn_if_expiring(config: C2paConfig) -> None:
    """An archive renews a certificate before it ends, not after signing stops."""
    dates = certificate_dates(config.cert_chain)
    if dates is None:
        return
    left = dates[1] - datetime.datetime.now(datetime.UTC)
    if left < EXPIRY_WARNING:
        log.warning("the C2PA signing certificate in %s ends on %s (in %d days): renew it; "
                    "signing stops then", config.cert_chain,
                    dates[1].strftime("%Y-%m-%d %H:%M UTC"), max(0, left.days))


def read_c2pa(data: bytes, mime: str, trust_anchors: str | None = None) -> dict[str, Any]:
    """The C2PA manifest store of a signed file, as JSON (for checks and tests);
    `trust_anchors` (PEM root certificates) makes a chain to one of them "Trusted"."""
    import c2pa

    stream = io.BytesIO(data)
    if trust_anchors is None:
        reader = c2pa.Reader(mime, stream)
    else:
        reader = c2pa.Reader(mime, stream, context=c2pa.Context.from_dict(
            {"trust": {"trust_anchors": trust_anchors}, "verify": {"verify_trust": True}}))
    with reader:
        return json.loads(reader.json())
