"""Sending one automation event: a webhook POST (signed when the automation has a secret)
or an OSC message over UDP (encoded by python-osc), and the retry policy around it.

Every attempt is bounded (``ATTEMPT_TIMEOUT_S``); a failed one is tried again after a
growing pause (``FIRST_RETRY_S`` doubling up to ``LONGEST_RETRY_S``) until ``RETRY_FOR_S``
after the event, then the delivery is failed. A receiver's answer is kept as text (its
first ``ANSWER_CHARS``), never interpreted; pages show it with ``textContent``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp
from pythonosc.osc_message_builder import OscMessageBuilder

from podium.core.config.automations import Automation, parse_host_port

ATTEMPT_TIMEOUT_S = 3.0  # one POST, connect to answer; a receiver slower than this has failed
FIRST_RETRY_S = 0.5
LONGEST_RETRY_S = 15.0
RETRY_FOR_S = 120.0  # after the event: then it is failed, and the next one goes
ANSWER_CHARS = 200
SIGNATURE = "X-Podium-Signature"
IDEMPOTENCY = "Idempotency-Key"
RETRY_STATUS = frozenset({408, 425, 429})  # and every 5xx: the receiver may take it later


class Refused(Exception):
    """An attempt failed; ``final`` when trying again cannot help (e.g. a 404)."""

    def __init__(self, detail: str, final: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.final = final


@dataclass
class Delivery:
    """One event to one automation, as ``GET /api/automations`` shows it."""

    id: str  # the event's id and the automation's index
    event_id: str
    event: str
    automation: int
    kind: str  # webhook or osc
    target: str  # the URL (without a password) or osc://host:port/address
    at: int  # when the event happened, epoch ms
    process: str
    status: str = "pending"  # pending, retrying, delivered, failed
    attempts: int = 0
    answer: str | None = None  # the receiver's status and the start of its body, as text
    error: str | None = None
    done_at: int | None = None

    def public(self) -> dict[str, Any]:
        return asdict(self)


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of the body with the secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def post(
    session: aiohttp.ClientSession, automation: Automation, payload: dict[str, Any]
) -> str:
    """One webhook attempt of an event (its ``Event.payload()``, as the outbox keeps it);
    the receiver's answer, or ``Refused``. The ``Idempotency-Key`` is the event's id, the
    same in every attempt, from every process."""
    body = body_of(payload)
    headers = {
        "Content-Type": "application/json",
        IDEMPOTENCY: str(payload["id"]),
        "X-Podium-Event": str(payload["event"]),
    }
    if automation.secret is not None:
        headers[SIGNATURE] = signature(automation.secret.get_secret_value(), body)
    url = automation.url or ""
    timeout = aiohttp.ClientTimeout(total=ATTEMPT_TIMEOUT_S)
    try:
        async with session.post(
            url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        ) as response:
            start = await response.content.read(ANSWER_CHARS * 4)
            text = start.decode("utf-8", "replace")[:ANSWER_CHARS]
            answer = f"{response.status} {text}".strip()
    except TimeoutError:
        raise Refused(f"no answer within {ATTEMPT_TIMEOUT_S:g} s") from None
    except aiohttp.ClientError as exc:
        raise Refused(f"{exc.__class__.__name__}: {exc}"[:ANSWER_CHARS]) from None
    if response.status >= 500 or response.status in RETRY_STATUS:
        raise Refused(answer)
    if response.status >= 300:
        raise Refused(answer, final=True)
    return answer


def osc_message(automation: Automation, payload: dict[str, Any]) -> bytes:
    """The address with ``{event}`` filled in; arguments: event, room, version, time (ISO),
    session id, speaker id, speaker name, presence (empty strings when none)."""
    session = payload["session"] or {}
    speaker = payload["speaker"] or {}
    builder = OscMessageBuilder(automation.osc_address(payload["event"]))
    for value in (
        payload["event"],
        payload["room"],
        payload["version"],
        payload["time"],
        session.get("id", ""),
        speaker.get("id", ""),
        speaker.get("display_name", ""),
        speaker.get("presence", ""),
    ):
        builder.add_arg(value)
    return builder.build().dgram


async def send_osc(automation: Automation, payload: dict[str, Any]) -> str:
    """One OSC datagram. UDP says nothing back: sent is delivered."""
    host, port = parse_host_port(automation.osc or "")
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(ATTEMPT_TIMEOUT_S):
            transport, _ = await loop.create_datagram_endpoint(
                asyncio.DatagramProtocol, remote_addr=(host, port)
            )
    except (OSError, TimeoutError) as exc:
        raise Refused(f"cannot send to {host}:{port}: {exc}"[:ANSWER_CHARS]) from None
    try:
        transport.sendto(osc_message(automation, payload))
    finally:
        transport.close()
    return "sent"


def next_pause(attempts: int) -> float:
    """The pause before attempt ``attempts + 1``."""
    return min(FIRST_RETRY_S * 2 ** (attempts - 1), LONGEST_RETRY_S)
