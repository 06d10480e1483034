"""The service's one frozen config (the fetcher's lives in `colorizer.apps.service.fetch`)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from colorizer.apps.service.fetch import FetchConfig
from colorizer.pipeline.imageio import DEFAULT_MAX_PIXELS
from context.config_io import config_from_dict

DB_NAME = "jobs.sqlite3"


@dataclass(frozen=True)
class C2paConfig:
    """C2PA signing (the optional `c2pa` extra): a PEM certificate chain and its private key."""

    cert_chain: Path  # PEM, signing certificate first, then intermediates (not the root)
    private_key: Path  # PEM (PKCS#8) private key of the signing certificate
    alg: str = "es256"  # es256 | es384 | es512 | ps256 | ps384 | ps512 | ed25519
    tsa_url: str | None = None  # RFC 3161 time-stamp authority; None = no time stamp


def default_data_dir() -> Path:
    """Where the service keeps its state when no --data-dir is given."""
    explicit = os.environ.get("CHRONOCHROME_SERVICE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "chronochrome" / "service"


@dataclass(frozen=True)
class ServiceConfig:
    """Where the service keeps its state and how much it accepts."""

    # Holds jobs.sqlite3 and results/. The default does not depend on the current folder
    # (`keys list` run elsewhere used to create an empty database): $CHRONOCHROME_SERVICE_DIR,
    # else $XDG_DATA_HOME/chronochrome/service (~/.local/share/chronochrome/service).
    data_dir: Path = field(default_factory=lambda: default_data_dir())
    queue_cap: int = 1000  # queued + running items; beyond it POST /v1/jobs answers 429
    job_max_items: int = 500  # items in one job
    max_upload_bytes: int = 50 * 1024 * 1024  # one uploaded or fetched image, and one request
    # A request body not fully received within this many seconds is refused (408).
    request_timeout_seconds: float = 60.0
    max_pixels: int = DEFAULT_MAX_PIXELS  # refuse larger images (413)
    sync_max_pixels: int = 4_000_000  # POST /v1/colorize is for small images; larger -> 413
    sync_concurrency: int = 1  # synchronous colorizations at once; more wait, then 429
    worker_threads: int = 1  # in-process workers; 0 = run `chronochrome serve --worker-only`
    lease_seconds: float = 120.0  # renewed while a worker works; expired (worker died): retried
    max_attempts: int = 3  # an item that took down a worker this often is failed, not retried
    output_format: str = "png"  # png | jpg | tif | webp (a job may ask for another)
    retry_after_seconds: int = 5  # Retry-After on 429
    public_url: str | None = None  # base URL for links in IIIF manifests; None = request's
    fetch: FetchConfig = field(default_factory=FetchConfig)  # remote images and webhooks
    c2pa: C2paConfig | None = None  # sign outputs with C2PA when a certificate is configured
    metrics_token: str | None = None  # operator's bearer token for /metrics; None = open
    link_ttl_seconds: float = 7 * 24 * 3600.0  # signed image links in IIIF manifests (links.py)

    def __post_init__(self) -> None:
        for name in ("queue_cap", "job_max_items", "max_upload_bytes", "max_pixels",
                     "sync_max_pixels", "sync_concurrency", "max_attempts"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.worker_threads < 0:
            raise ValueError("worker_threads must be 0 (external worker) or more")
        if self.link_ttl_seconds <= 0:
            raise ValueError(f"link_ttl_seconds must be above 0, got {self.link_ttl_seconds}")
        if self.request_timeout_seconds <= 0:
            raise ValueError("request_timeout_seconds must be above 0, got "
                             f"{self.request_timeout_seconds}")
        if self.lease_seconds <= 0:
            raise ValueError(f"lease_seconds must be above 0, got {self.lease_seconds}")
        if self.metrics_token is not None and len(self.metrics_token) < 16:
            raise ValueError("metrics_token must be at least 16 characters (e.g. `python -c "
                             "'import secrets; print(secrets.token_urlsafe(32))'`)")
        from colorizer.pipeline.provenance import normalize_format

        object.__setattr__(self, "output_format", normalize_format(self.output_format))
        object.__setattr__(self, "data_dir", Path(self.data_dir))

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_NAME

    @property
    def results_dir(self) -> Path:
        return self.data_dir / "results"

    def with_changes(self, **changes: Any) -> ServiceConfig:
        return replace(self, **changes)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServiceConfig:
        data = dict(data)
        if "fetch" in data:
            data["fetch"] = FetchConfig.from_dict(data["fetch"])
        if data.get("c2pa"):
            c2pa = dict(data["c2pa"])
            c2pa["cert_chain"], c2pa["private_key"] = (Path(c2pa["cert_chain"]),
                                                       Path(c2pa["private_key"]))
            data["c2pa"] = config_from_dict(C2paConfig, c2pa)
        return config_from_dict(cls, data)

    @classmethod
    def from_json(cls, path: Path) -> ServiceConfig:
        return cls.from_dict(json.loads(Path(path).read_text()))
