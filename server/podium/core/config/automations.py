"""What an ``[[automations]]`` entry of a programme may say: the events it wants (``on``)
and where they go, a webhook (``url``, optional ``secret``) or an OSC message over UDP
(``osc = "host:port"``, ``address`` with ``{event}`` replaced by the event's name).

Targets come only from the programme file, the moderator's own configuration, never from a
client. A ``secret`` is a ``SecretStr``: printing, logging or dumping the entry shows
``**********``; only the signer reads it (``secret.get_secret_value()``).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

EVENTS = (
    "session_started",
    "session_ended",
    "speaker_started",
    "speaker_ended",
    "warning",
    "danger",
    "overtime",
    "message_shown",
    "cue",
)
DEFAULT_ADDRESS = "/podium/{event}"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")
_OSC_ADDRESS = re.compile(r"^(?:/[^\s/#*,?\[\]{}]+)+$")  # an OSC method path: no wildcards


def parse_event(value: object) -> str:
    if value not in EVENTS:
        raise ValueError(f"{value!r} is not an event; use one of: {', '.join(EVENTS)}")
    return str(value)


def parse_host_port(value: str) -> tuple[str, int]:
    """``"127.0.0.1:53000"``, ``"mixer.local:8000"`` or ``"[::1]:9000"``."""
    host, colon, port = value.strip().rpartition(":")
    fix = "write it as host:port, e.g. '127.0.0.1:53000'"
    if not colon or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{value!r} is not host:port with a port from 1 to 65535; {fix}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not _HOST.match(host):
            raise ValueError(
                f"{value!r}: {host!r} is not a host name or IP address; {fix}"
            ) from None
    return host, int(port)


class Automation(BaseModel):
    """One ``[[automations]]`` entry: a webhook or an OSC target, and the events it gets."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    on: tuple[str, ...] = Field(min_length=1, description=f"events, of: {', '.join(EVENTS)}")
    url: str | None = Field(None, description="a webhook: POST JSON to this http(s) URL")
    secret: SecretStr | None = Field(
        None, description="signs a webhook's body: X-Podium-Signature: sha256=<HMAC hex>"
    )
    osc: str | None = Field(None, description="an OSC message over UDP to host:port")
    address: str | None = Field(
        None, description=f"the OSC address; {{event}} is the event's name ({DEFAULT_ADDRESS})"
    )

    @field_validator("on", mode="before")
    @classmethod
    def _events(cls, value: object) -> object:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple):
            if not value:
                raise ValueError("no events; list at least one, e.g. on = ['speaker_started']")
            problems = []
            for event in value:
                try:
                    parse_event(event)
                except ValueError as exc:
                    problems.append(str(exc))
            if problems:
                raise ValueError("; ".join(problems))
            if len(set(value)) != len(value):
                raise ValueError("an event is listed twice; list each once")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        try:
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            raise ValueError(f"{value!r} has a bad port; use a number from 1 to 65535") from None
        if parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
            raise ValueError(
                f"{value!r} is not an http or https URL; write it whole, e.g."
                " 'http://127.0.0.1:8000/api/location/1/0/0/press'"
            )
        return value

    @field_validator("osc")
    @classmethod
    def _osc(cls, value: str | None) -> str | None:
        if value is not None:
            parse_host_port(value)
        return value

    @field_validator("address")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and not _OSC_ADDRESS.match(value.replace("{event}", "event")):
            raise ValueError(
                f"{value!r} is not an OSC address; write a path such as '/podium/{{event}}'"
                " (starting with '/', no spaces or # * , ? [ ] {{ }} except {event})"
            )
        return value

    @model_validator(mode="after")
    def _one_target(self) -> Automation:
        if (self.url is None) == (self.osc is None):
            raise ValueError(
                "give either url (a webhook) or osc ('host:port', an OSC message), one of them"
            )
        if self.url is not None and self.address is not None:
            raise ValueError("address is for osc; a webhook has its url only")
        if self.osc is not None and self.secret is not None:
            raise ValueError("secret signs a webhook; OSC messages are not signed, remove it")
        return self

    @property
    def kind(self) -> str:
        return "webhook" if self.url is not None else "osc"

    @property
    def target(self) -> str:
        """Where it goes, as the console and the logs may show it (never the secret, nor
        a password in the URL)."""
        if self.url is not None:
            parts = urlsplit(self.url)
            if "@" in parts.netloc:
                parts = parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1])
            return urlunsplit(parts)
        return f"osc://{self.osc}{self.address or DEFAULT_ADDRESS}"

    def osc_address(self, event: str) -> str:
        return (self.address or DEFAULT_ADDRESS).replace("{event}", event)
