"""chronochrome's HTTP service for archives: jobs in SQLite, a worker, safe fetching, IIIF.

    from colorizer.apps.service import ServiceConfig, create_app
    app = create_app(pipeline, ServiceConfig(data_dir=Path("service-data")))

Modules: `config` (ServiceConfig), `store` (the SQLite job store and API keys), `fetch`
(remote images with SSRF protection), `iiif` (Image API sizes, Presentation 3 manifests),
`worker` (the job processor with lease renewal, also `python -m colorizer.apps.service.worker`),
`app` (FastAPI: who may call what, the routes), `bodies` (reading request bodies), `intake`
(requests -> jobs, synchronous colorization), `views` (job JSON, OpenAPI extras), `problems`
(RFC 9457 errors), `metrics` (Prometheus text), `webhooks`, `signing` (C2PA), `cli`
(`chronochrome serve` and `chronochrome keys`). Nothing here runs at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["ServiceConfig", "create_app"]

if TYPE_CHECKING:
    from colorizer.apps.service.app import create_app
    from colorizer.apps.service.config import ServiceConfig


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from colorizer.apps.service.app import create_app

        return create_app
    if name == "ServiceConfig":
        from colorizer.apps.service.config import ServiceConfig

        return ServiceConfig
    raise AttributeError(f"module 'colorizer.apps.service' has no attribute {name!r}")
