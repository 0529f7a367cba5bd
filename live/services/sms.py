"""Sending one-time codes by SMS, through a pluggable backend.

``LIVE_SMS_BACKEND=log`` (the default) writes the code to the server log — with the number
masked — and keeps the last few for the admin page of a demo; ``webhook`` POSTs
``{"phone", "code", "text"}`` as JSON to ``LIVE_SMS_WEBHOOK`` (the operator's SMS gateway)."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import aiohttp

from live.clock import Clock
from live.errors import Unavailable
from live.services.phones import mask_phone

log = logging.getLogger(__name__)
BACKENDS = ("log", "webhook")
KEEP = 20


@dataclass(frozen=True)
class SentCode:
    phone_masked: str
    code: str
    purpose: str
    at: datetime


class SmsSender(Protocol):
    backend: str  # LIVE_SMS_BACKEND's value for this sender: log or webhook

    async def send(self, phone: str, code: str, text: str, purpose: str) -> None: ...

    async def close(self) -> None: ...


class LogSms:
    """The code goes to the log (number masked); the last ``KEEP`` are shown to admins."""

    backend = "log"

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.recent: deque[SentCode] = deque(maxlen=KEEP)

    async def send(self, phone: str, code: str, text: str, purpose: str) -> None:
        masked = mask_phone(phone) or ""
        log.warning("SMS code for %s (%s): %s", masked, purpose, code)
        self.recent.appendleft(SentCode(masked, code, purpose, self.clock.now()))

    async def close(self) -> None:
        return None


class WebhookSms:
    """POSTs ``{phone, code, text}`` to the operator's gateway; a failure is 503 ``sms_failed``."""

    backend = "webhook"

    def __init__(self, url: str, timeout_s: float = 10.0) -> None:
        self.url = url
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def send(self, phone: str, code: str, text: str, purpose: str) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        try:
            async with self._session.post(self.url, json={"phone": phone, "code": code, "text": text}) as r:
                if r.status >= 300:
                    raise Unavailable(f"the SMS gateway answered {r.status}", code="sms_failed")
        except (aiohttp.ClientError, TimeoutError) as err:
            log.warning("SMS gateway unreachable for %s: %s", mask_phone(phone), type(err).__name__)
            raise Unavailable("the SMS gateway is unreachable; try again", code="sms_failed") from err

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def make_sender(backend: str, webhook: str | None, clock: Clock) -> SmsSender:
    if backend == "webhook":
        if not webhook:
            raise ValueError("LIVE_SMS_BACKEND=webhook needs LIVE_SMS_WEBHOOK (the gateway's URL)")
        return WebhookSms(webhook)
    if backend != "log":
        raise ValueError(f"LIVE_SMS_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    return LogSms(clock)
