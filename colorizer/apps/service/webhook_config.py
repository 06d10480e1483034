"""The webhook settings (`"webhooks"` in `chronochrome serve --config`): when a delivery that
failed is tried again, and how long one attempt may take.

A delivery was 3 POSTs 0.5 s and 1 s apart: a receiver down for 2 seconds (a deploy) lost the
event for good, and a stalled one held a delivery thread for the image fetcher's whole timeout
three times over (~91 s). The default schedule is Standard Webhooks' (standardwebhooks.com):
the first attempt at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after the one
before, 8 attempts over 27.6 hours. The time of the next attempt is stored (`webhook_schedule`),
so no thread sleeps between attempts and a restart keeps the schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from context.config_io import config_from_dict

STANDARD_RETRY_SECONDS = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)


@dataclass(frozen=True)
class WebhookConfig:
    """When failed deliveries are retried, and the time one attempt may take."""

    # The wait before each retry, after the attempt before it failed (seconds): its length is
    # the number of retries; () = one attempt only. Default: Standard Webhooks' schedule.
    retry_seconds: tuple[float, ...] = STANDARD_RETRY_SECONDS
    # Seconds one POST may take, connecting included (capped by fetch.total_timeout): shorter
    # than an image fetch's 30 s, so that 4 stalled receivers hold the 4 delivery threads for
    # 10 s, not 91 s; GitHub gives receivers 10 s too.
    timeout: float = 10.0

    def __post_init__(self) -> None:
        waits = tuple(float(s) for s in self.retry_seconds)
        if not all(0 <= s < float("inf") for s in waits):
            raise ValueError("webhooks.retry_seconds must be finite waits of 0 s or more, e.g. "
                             f"[5, 300, 1800]; got {list(self.retry_seconds)}")
        if not 0 < self.timeout < float("inf"):
            raise ValueError(f"webhooks.timeout must be above 0 seconds, got {self.timeout}")
        object.__setattr__(self, "retry_seconds", waits)

    @property
    def attempts(self) -> int:
        """POSTs at most per delivery: the first and one per retry."""
        return 1 + len(self.retry_seconds)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WebhookConfig:
        data = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return config_from_dict(cls, data)
