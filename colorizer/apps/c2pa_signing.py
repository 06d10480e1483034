"""C2PA signing of outputs (optional: `pip install 'chronochrome[c2pa]'`), one implementation
for `chronochrome serve` and `chronochrome colorize --c2pa-cert/--c2pa-key`.

`C2paSigner(config)` checks the settings (`c2pa_checks`) and signs a 1x1 image once, so that a
key that does not match its certificate, an expired certificate or an unreachable time-stamp
authority stop the service at start, or a batch before its first photo, with a message naming
the fix, instead of failing every photo later. The manifest itself is built in
`c2pa_manifest`; `colorizer.apps.outputs.encode_outputs(signer=...)` calls `sign`.
"""

from __future__ import annotations

import datetime
import io
import json
import logging
from typing import Any

from PIL import Image

from colorizer.apps.c2pa_checks import SigningUnavailableError, check_config, explain
from colorizer.apps.c2pa_config import C2paConfig
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
        chain, key = check_config(config)
        try:
            import c2pa
        except ImportError as exc:
            raise SigningUnavailableError(
                "C2PA signing is configured but c2pa-python is not installed: "
                "pip install 'chronochrome[c2pa]', or remove the c2pa settings") from exc
        self._c2pa, self.config = c2pa, config
        self._info = c2pa.C2paSignerInfo(config.alg.lower().encode(), chain, key,
                                         config.tsa_url.encode() if config.tsa_url else None)
        try:
            self._sign_once()
        except c2pa.C2paError as exc:
            raise SigningUnavailableError(explain(str(exc), config)) from None
        _warn_if_expiring(config)

    def _sign_once(self) -> None:
        """Sign a 1x1 PNG: c2pa checks the key against the certificate, the certificate's
        validity and the TSA only when it signs."""
        probe = io.BytesIO()
        Image.new("RGB", (1, 1)).save(probe, format="PNG")
        self._sign(probe.getvalue(), "image/png", build_manifest({}, "start-check.png"))

    def _sign(self, data: bytes, mime: str, manifest: dict[str, Any]) -> bytes:
        out = io.BytesIO()
        signer = self._c2pa.Signer.from_info(self._info)
        try:
            with self._c2pa.Builder(json.dumps(manifest)) as builder:
                builder.sign(signer, mime, io.BytesIO(data), out)
        finally:
            signer.close()
        return out.getvalue()

    def sign(self, data: bytes, mime: str, record: dict[str, Any], title: str) -> bytes:
        """`data` with the signed manifest of `record` (the unsigned provenance record)."""
        try:
            return self._sign(data, mime, build_manifest(record, title))
        except self._c2pa.C2paError as exc:
            raise SigningFailedError(
                f"C2PA signing failed: {explain(str(exc), self.config)}") from None


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
