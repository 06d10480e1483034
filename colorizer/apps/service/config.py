"""The service's one frozen config (the fetcher's lives in `colorizer.apps.service.fetch`)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from colorizer.apps.c2pa_config import C2paConfig  # the service's `c2pa` settings
from colorizer.apps.service.config_types import check_types
from colorizer.apps.service.cors import normalize_origins
from colorizer.apps.service.fetch import FetchConfig
from colorizer.apps.service.key_share import key_share
from colorizer.apps.service.proxy_headers import check_trusted_proxies
from colorizer.apps.service.public_url import normalize_public_url
from colorizer.apps.service.webhook_config import WebhookConfig
from colorizer.errors import ChronochromeError
from colorizer.pipeline.imageio import DEFAULT_MAX_PIXELS
from context.config_io import config_from_dict

DB_NAME = "jobs.sqlite3"
RETENTION_ENV = "CHRONOCHROME_RESULT_RETENTION"
DEFAULT_RETENTION_SECONDS = 30 * 24 * 3600.0  # 30 days
DEFAULT_FORGET_SECONDS = 30 * 24 * 3600.0  # an expired job's rows, 30 days after expiry
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 7 * 86400.0}


def default_data_dir() -> Path:
    """Where the service keeps its state when no --data-dir is given."""
    explicit = os.environ.get("CHRONOCHROME_SERVICE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "chronochrome" / "service"


def parse_duration(text: str, what: str = "a duration") -> float:
    """Seconds of "30d", "12h", "90m", "45s", "2w" or "0"; "never" and "0" are 0."""
    value = text.strip().lower()
    if value in ("never", "0"):
        return 0.0
    number, unit = value[:-1], value[-1:]
    try:
        seconds = float(number) * _UNITS[unit]
    except (KeyError, ValueError):
        raise ValueError(f"{what} {text!r} is not a duration: give a number and a unit, e.g. "
                         "30d, 12h, 90m, 45s, 2w (or never)") from None
    if not seconds >= 0 or seconds == float("inf"):
        raise ValueError(f"{what} {text!r} must be a finite duration of 0 or more")
    return seconds


def default_retention() -> float:
    """$CHRONOCHROME_RESULT_RETENTION ("30d", "never", ...) when set, else 30 days."""
    explicit = os.environ.get(RETENTION_ENV)
    if not explicit:
        return DEFAULT_RETENTION_SECONDS
    return parse_duration(explicit, f"${RETENTION_ENV}")


@dataclass(frozen=True)
class ServiceConfig:
    """Where the service keeps its state and how much it accepts."""

    # Holds jobs.sqlite3 and results/. The default does not depend on the current folder
    # (`keys list` run elsewhere used to create an empty database): $CHRONOCHROME_SERVICE_DIR,
    # else $XDG_DATA_HOME/chronochrome/service (~/.local/share/chronochrome/service).
    data_dir: Path = field(default_factory=lambda: default_data_dir())
    queue_cap: int = 1000  # queued + running items; beyond it POST /v1/jobs answers 429
    # Queued + running items one API key may hold (its share, key_share.py); beyond it its
    # POST /v1/jobs answers 429 key_share_full while other keys still have room. 0 = half of
    # queue_cap, rounded up; queue_cap = no shares (one key may fill the queue).
    per_key_queue_cap: int = 0
    job_max_items: int = 500  # items in one job
    max_upload_bytes: int = 50 * 1024 * 1024  # one uploaded or fetched image, and one request
    # A request body not fully received within this many seconds is refused (408).
    request_timeout_seconds: float = 60.0
    # A connection whose request headers are not complete this many seconds after its first
    # byte (or after it opened) gets a 408 and is closed (header_timeout.py).
    header_timeout_seconds: float = 10.0
    # Open connections served at once; a request on one beyond them gets 503
    # too_many_connections and its connection is closed (connection_limit.py). Each holds up
    # to two open files (its socket, its spooled body) and ~0.5 MB while its upload arrives:
    # 256 keeps them within half of the usual limit of 1024 open files.
    max_connections: int = 256
    max_pixels: int = DEFAULT_MAX_PIXELS  # refuse larger images (413)
    sync_max_pixels: int = 4_000_000  # POST /v1/colorize is for small images; larger -> 413
    sync_concurrency: int = 1  # synchronous colorizations at once; more wait, then 429
    worker_threads: int = 1  # in-process workers; 0 = run `chronochrome serve --worker-only`
    # torch's intra-op threads per colorization, set once at start; 0 = the process's cores
    # divided among its workers (`torch_threads_per_worker`): torch's own default gives each
    # worker every core, and N workers on a shared machine then ask for N x cores threads.
    torch_threads: int = 0
    lease_seconds: float = 120.0  # renewed while a worker works; expired (worker died): retried
    max_attempts: int = 3  # an item that took down a worker this often is failed, not retried
    output_format: str = "png"  # png | jpg | tif | webp (a job may ask for another)
    retry_after_seconds: int = 5  # Retry-After on 429
    # The address clients reach the service at, e.g. https://archive.example.org/colorize
    # behind a proxy: the base of every link it answers with (public_url.py checks it at
    # start); None = the address each request came to (proxy_headers.py).
    public_url: str | None = None
    # Proxies whose X-Forwarded-Proto/-For/-Host/-Prefix are believed (uvicorn's syntax: IPs,
    # networks, "*"); default $FORWARDED_ALLOW_IPS, else loopback, as uvicorn's own.
    forwarded_allow_ips: str = field(
        default_factory=lambda: os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1")
    # Browser origins that may call /v1/ (cors.py), each scheme://host[:port], e.g.
    # ["https://viewer.example.org"]; ["*"] = any origin (no credentials), [] = CORS off.
    cors_origins: tuple[str, ...] = ("*",)
    fetch: FetchConfig = field(default_factory=FetchConfig)  # remote images and webhooks
    webhooks: WebhookConfig = field(default_factory=WebhookConfig)  # retries (webhook_config)
    c2pa: C2paConfig | None = None  # sign outputs with C2PA when a certificate is configured
    metrics_token: str | None = None  # operator's bearer token for /metrics; None = open
    link_ttl_seconds: float = 7 * 24 * 3600.0  # signed image links in IIIF manifests (links.py)
    # A finished job's results (images, provenance, uploaded originals) are deleted this long
    # after its last item ended, and answer 410 (retention.py); 0 = keep forever. Default:
    # $CHRONOCHROME_RESULT_RETENTION ("30d", "12h", "never"), else 30 days.
    result_retention_seconds: float = field(default_factory=lambda: default_retention())
    retention_sweep_seconds: float = 3600.0  # how often the server looks for expired results
    # An expired job's record (its row and its items': what answers "state": "expired" and
    # the 410s) is deleted this long after its results were, and the job answers 404 from then
    # on (job_forgetting.py); 0 = keep the records forever (the database grows without end).
    expired_job_retention_seconds: float = DEFAULT_FORGET_SECONDS
    # Below this many bytes free on the data folder's disk, workers take no item (they stay
    # queued) and /readyz is 503 (storage_room.py): a full disk failed the whole queue, 507
    # each. One result of a 10 MP photo is ~20 MB of PNG; 0 = no check.
    min_free_bytes: int = 64 * 1024 * 1024

    def __post_init__(self) -> None:
        for name in ("queue_cap", "job_max_items", "max_upload_bytes", "max_pixels",
                     "sync_max_pixels", "sync_concurrency", "max_attempts", "max_connections"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0 <= self.per_key_queue_cap <= self.queue_cap:
            raise ValueError(f"per_key_queue_cap must be 0 (half of queue_cap) up to queue_cap "
                             f"({self.queue_cap}), got {self.per_key_queue_cap}")
        if self.worker_threads < 0:
            raise ValueError("worker_threads must be 0 (external worker) or more")
        if self.torch_threads < 0:
            raise ValueError("torch_threads must be 0 (cores / workers) or more, got "
                             f"{self.torch_threads}")
        if self.link_ttl_seconds <= 0:
            raise ValueError(f"link_ttl_seconds must be above 0, got {self.link_ttl_seconds}")
        if self.request_timeout_seconds <= 0:
            raise ValueError("request_timeout_seconds must be above 0, got "
                             f"{self.request_timeout_seconds}")
        for name in ("header_timeout_seconds", "retention_sweep_seconds"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be above 0, got {getattr(self, name)}")
        if not self.result_retention_seconds >= 0:
            raise ValueError("result_retention_seconds must be 0 (keep forever) or more, got "
                             f"{self.result_retention_seconds}")
        if not 0 <= self.expired_job_retention_seconds < float("inf"):
            raise ValueError("expired_job_retention_seconds must be 0 (keep forever) or more, "
                             f"got {self.expired_job_retention_seconds}")
        if self.min_free_bytes < 0:
            raise ValueError("min_free_bytes must be 0 (no check) or more, got "
                             f"{self.min_free_bytes}")
        if self.lease_seconds <= 0:
            raise ValueError(f"lease_seconds must be above 0, got {self.lease_seconds}")
        if self.metrics_token is not None and len(self.metrics_token) < 16:
            raise ValueError("metrics_token must be at least 16 characters (e.g. `python -c "
                             "'import secrets; print(secrets.token_urlsafe(32))'`)")
        if self.public_url is not None:
            object.__setattr__(self, "public_url", normalize_public_url(self.public_url))
        object.__setattr__(self, "cors_origins", normalize_origins(self.cors_origins))
        object.__setattr__(self, "forwarded_allow_ips",
                           check_trusted_proxies(self.forwarded_allow_ips))
        from colorizer.pipeline.provenance import normalize_format

        object.__setattr__(self, "output_format", normalize_format(self.output_format))
        object.__setattr__(self, "data_dir", Path(self.data_dir))

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_NAME

    @property
    def key_queue_cap(self) -> int:
        """The queued + running items one API key may hold (`key_share`)."""
        return key_share(self.queue_cap, self.per_key_queue_cap)

    @property
    def results_dir(self) -> Path:
        return self.data_dir / "results"

    def require_database(self) -> None:
        """Listing keys or cleaning up must not create an empty database in the wrong place."""
        if not self.db_path.is_file():
            raise ChronochromeError(f"no service database at {self.db_path}: pass the "
                                    "--data-dir the service runs with, or create a key first "
                                    "(`chronochrome keys create --name NAME`)")

    def torch_threads_per_worker(self, cores: int, worker_only: bool = False) -> int:
        """`torch_threads` if set, else max(1, cores // workers): the in-process worker
        threads, or 1 for a `--worker-only` process (give each of several the same count
        with --torch-threads, cores // processes)."""
        if self.torch_threads:
            return self.torch_threads
        workers = 1 if worker_only else max(1, self.worker_threads)
        return max(1, cores // workers)

    def with_changes(self, **changes: Any) -> ServiceConfig:
        return replace(self, **changes)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServiceConfig:
        """Fields from JSON: an unknown key or a value of the wrong type is a ValueError that
        names it (`config_types`), never a TypeError from deep inside."""
        if not isinstance(data, dict):  # a ValueError, as every other wrong setting is
            raise ValueError(  # noqa: TRY004
                "the service settings must be a JSON object of ServiceConfig fields, e.g. "
                f'{{"queue_cap": 1000}}; got {type(data).__name__}')
        check_types(cls, data)
        data = dict(data)
        if "fetch" in data:
            check_types(FetchConfig, data["fetch"], "fetch.")
            data["fetch"] = FetchConfig.from_dict(data["fetch"])
        if "webhooks" in data:
            check_types(WebhookConfig, data["webhooks"], "webhooks.")
            data["webhooks"] = WebhookConfig.from_dict(data["webhooks"])
        if data.get("c2pa"):
            check_types(C2paConfig, data["c2pa"], "c2pa.")
            c2pa = dict(data["c2pa"])
            c2pa["cert_chain"], c2pa["private_key"] = (Path(c2pa["cert_chain"]),
                                                       Path(c2pa["private_key"]))
            data["c2pa"] = config_from_dict(C2paConfig, c2pa)
        return config_from_dict(cls, data)

    @classmethod
    def from_json(cls, path: Path) -> ServiceConfig:
        """`--config FILE`; a missing, unreadable or malformed file says which and why."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or str(exc)
            raise ChronochromeError(f"cannot read the service config {path} ({why}): give "
                                    "the path of a JSON file of ServiceConfig fields") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} is not JSON ({exc})") from None
        try:
            return cls.from_dict(data)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
