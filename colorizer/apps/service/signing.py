"""C2PA signing of outputs (optional: `pip install 'chronochrome[c2pa]'`)."""

from __future__ import annotations

import io
import json
from typing import Any

from colorizer.apps.service.config import C2paConfig
from colorizer.errors import ChronochromeError
from colorizer.pipeline.provenance import AI_SYSTEM, DIGITAL_SOURCE_TYPE, software_version


class SigningUnavailableError(ChronochromeError):
    """C2PA signing was configured but cannot run."""


class C2paSigner:
    """Adds a signed C2PA manifest (AI-generated color, model, source hash) to an output."""

    def __init__(self, config: C2paConfig) -> None:
        try:
            import c2pa
        except ImportError as exc:
            raise SigningUnavailableError(
                "C2PA signing is configured but c2pa-python is not installed: "
                "pip install 'chronochrome[c2pa]', or remove the c2pa settings") from exc
        self._c2pa = c2pa
        try:
            chain, key = config.cert_chain.read_bytes(), config.private_key.read_bytes()
        except OSError as exc:
            raise SigningUnavailableError(f"cannot read the C2PA certificate or key: {exc}; "
                                          "check the cert_chain and private_key paths") from exc
        self._info = c2pa.C2paSignerInfo(config.alg.encode(), chain, key,
                                         config.tsa_url.encode() if config.tsa_url else None)
        self._check()

    def _check(self) -> None:
        try:
            self._c2pa.Signer.from_info(self._info).close()
        except self._c2pa.C2paError as exc:
            raise SigningUnavailableError(
                f"the C2PA certificate or key was refused ({exc}); use an end-entity "
                "certificate with digitalSignature key usage, chained to a CA") from exc

    def sign(self, data: bytes, mime: str, record: dict[str, Any], title: str) -> bytes:
        manifest = {
            "claim_generator_info": [{"name": AI_SYSTEM, "version": software_version()}],
            "title": title,
            "assertions": [
                {"label": "c2pa.actions", "data": {"actions": [{
                    "action": "c2pa.created", "digitalSourceType": DIGITAL_SOURCE_TYPE,
                    "softwareAgent": {"name": AI_SYSTEM, "version": software_version()},
                    "description": "colorized: the input's luminance kept, chroma predicted"}]}},
                {"label": "dev.chronochrome.provenance", "data": {
                    "source_sha256": record.get("source", {}).get("sha256"),
                    "model": record.get("model"), "prompt": record.get("prompt")}},
            ],
        }
        signer = self._c2pa.Signer.from_info(self._info)
        out = io.BytesIO()
        try:
            with self._c2pa.Builder(json.dumps(manifest)) as builder:
                builder.sign(signer, mime, io.BytesIO(data), out)
        finally:
            signer.close()
        return out.getvalue()


def read_c2pa(data: bytes, mime: str) -> dict[str, Any]:
    """The C2PA manifest store of a signed file, as JSON (for checks and tests)."""
    import c2pa

    with c2pa.Reader(mime, io.BytesIO(data)) as reader:
        return json.loads(reader.json())
