"""GET /v1/queue: a key's own place in the queue, so that a department's client sees that its
key is at its share (`key_share`) before POST /v1/jobs answers 429 `key_share_full`.

/readyz is open to anyone and so shows no key's figures; this route needs the key and shows
only that key's items beside the whole queue's depth (which /readyz shows anyway).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse

from colorizer.apps.service.key_share import key_queue_share
from colorizer.apps.service.state import ServiceState
from colorizer.apps.service.views import problems

_SAID = ("This key's items queued and running (`held`), the items it may hold (`cap`, its "
         "share), the whole queue's depth and cap, and `room`: how many items a POST "
         "/v1/jobs of this key would be admitted with now. `limited_by` names the 429 reason "
         "a POST would get now (`queue_full`, `key_share_full`), null while there is room; "
         "`max_job_items` is the most items one job may have.")


def install_queue_routes(app: FastAPI, state: ServiceState, api_key: Callable[..., str]) -> None:
    cfg = state.config

    @app.get("/v1/queue", tags=["jobs"], description=_SAID, responses=problems(401),
             summary="This API key's share of the queue: its items, its cap, its room",
             response_description="the key's queued and running items, cap and room")
    def queue(key_id: str = Depends(api_key)) -> JSONResponse:
        share = key_queue_share(state.store.connection(), key_id, cfg.key_queue_cap,
                                cfg.queue_cap)
        body = {**share.to_dict(), "max_job_items": min(cfg.job_max_items, cfg.key_queue_cap)}
        headers = {"Cache-Control": "no-store"}  # a cached figure would say room it lacks
        if share.limited_by is not None:  # when to ask again, as the 429 would say
            headers["Retry-After"] = str(cfg.retry_after_seconds)
        return JSONResponse(body, headers=headers)
