"""POST /v1/jobs/{id}/webhook: send an ended job's `job.completed` event again, now.

A delivery that failed (the receiver was down past the last retry, or answered 410 while it
was being moved) was lost for good: the only way to the event was polling the job. Now the
job's own API key asks for it again: the same event, with the same `webhook-id` (receivers
deduplicate by it), sent at once and retried on the schedule if that fails (webhook_sender).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse

from colorizer.apps.service.problems import Problem
from colorizer.apps.service.state import ServiceState
from colorizer.apps.service.store_errors import JobNotFoundError
from colorizer.apps.service.views import problems

_REFUSED = {
    "not_ended": (409, "job_not_ended", ("job {job} has items queued or running: its webhook "
                  "is sent when the last one ends; poll GET /v1/jobs/{job}?limit=0")),
    "already_sending": (409, "webhook_sending", ("an attempt at job {job}'s webhook is under "
                        "way: its outcome shows in the job's `webhook.state`")),
    "no_webhook": (404, "webhook_not_found", ("job {job} was submitted without a webhook: "
                   "submit jobs with \"webhook\": {{\"url\": ...}} to be called")),
}


def install_webhook_routes(app: FastAPI, state: ServiceState,
                           api_key: Callable[..., str]) -> None:
    @app.post("/v1/jobs/{job_id}/webhook", status_code=202, tags=["jobs"],
              summary="Send an ended job's webhook again, now (the same webhook-id)",
              response_description="the job's webhook, being sent (state `sending`)",
              responses=problems(401, 404, 409, said={
                  404: "no such job for this API key (job_not_found), or it has no webhook "
                       "(webhook_not_found)",
                  409: "the job has not ended (job_not_ended), or an attempt is under way "
                       "(webhook_sending)"}))
    def resend_webhook(job_id: str, key_id: str = Depends(api_key)) -> JSONResponse:
        """Send the job's `job.completed` event again now, whatever became of the last
        delivery; a failed attempt is retried on the service's schedule."""
        answer, claimed = state.webhooks.resend(key_id, job_id)
        if answer == "not_found":
            raise JobNotFoundError(job_id)
        if answer in _REFUSED:
            status, reason, detail = _REFUSED[answer]
            raise Problem(status, reason, detail.format(job=job_id))
        return JSONResponse(claimed, 202)
