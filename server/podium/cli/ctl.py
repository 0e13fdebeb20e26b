"""``podium ctl ACTION [ARGS]``: send one command from a shell, as ``POST /api/commands``.

Arguments are the action's fields, by position (``podium ctl add_time 60``) or by name
(``podium ctl show_message text="Wrap up" target=screen``). Errors are the API's own:
the same code and message, and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import ssl
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from podium.core.errors import PodiumError
from podium.core.timefmt import countdown
from podium.live.access.auth import TOKEN_FILE
from podium.live.access.keeper import read_token

DEFAULT_URL = "http://127.0.0.1:8080"
RETRIES = 3  # sends of one command whose outcome the server could not tell (same id)
RETRY_PAUSE_S = 1.0
POSITIONAL: dict[str, tuple[str, ...]] = {
    "start_session": ("session_id",),
    "goto": ("speaker_id",),
    "add_time": ("seconds",),
    "show_message": ("text", "target", "pinned"),
    "clear_message": ("target",),
    "blackout": ("on",),
    "hold": ("on",),
    "set_plan_date": ("date",),
    "show_question": ("question_id",),
}
_BOOLS = {"on": True, "true": True, "yes": True, "1": True,
          "off": False, "false": False, "no": False, "0": False}  # fmt: skip


class CtlError(PodiumError):
    """An error the server answered with, or no answer at all."""

    def __init__(self, code: str, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def _value(name: str, text: str) -> Any:
    if name in ("on", "pinned", "end_live"):
        return _BOOLS.get(text.lower(), text)
    if name in ("seconds", "expected_version"):
        try:
            return int(text)
        except ValueError:
            return text  # the server says what is wrong with it
    return text


def build_command(action: str, args: list[str], expected_version: int | None) -> dict[str, Any]:
    """``("add_time", ["60"])`` -> ``{"action": "add_time", "seconds": 60}``."""
    command: dict[str, Any] = {"action": action}
    names = iter(POSITIONAL.get(action, ()))
    for arg in args:
        name, sep, text = arg.partition("=")
        if not sep or not name.isidentifier():
            name = next(names, "")
            if not name:
                raise CtlError(
                    "invalid", f"{action} takes no more arguments than {POSITIONAL.get(action, ())}"
                )
            text = arg
        command[name] = _value(name, text)
    if expected_version is not None:
        command["expected_version"] = expected_version
    return command


@dataclass
class Api:
    url: str = DEFAULT_URL
    token: str | None = None
    room: str | None = None
    cacert: str | None = None  # the CA that signed the server's certificate (self-signed)

    def _context(self) -> ssl.SSLContext | None:
        if self.cacert is None:
            return None
        try:
            return ssl.create_default_context(cafile=self.cacert)
        except (OSError, ssl.SSLError) as exc:
            raise CtlError(
                "invalid", f"--cacert {self.cacert}: cannot read a certificate there ({exc})"
            ) from None

    def request(self, method: str, path: str, body: Any = None) -> Any:
        query = f"?{urlencode({'room': self.room})}" if self.room else ""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url.rstrip('/')}{path}{query}", data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        context = self._context()
        try:
            with urllib.request.urlopen(req, timeout=10, context=context) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            try:
                error = json.loads(exc.read())["error"]
            except (ValueError, KeyError, TypeError):
                raise CtlError("http", f"HTTP {exc.code} from {self.url}", exc.code) from None
            raise CtlError(error["code"], error["message"], exc.code) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, ssl.SSLCertVerificationError):
                raise CtlError(
                    "untrusted",
                    f"{self.url} answered with a certificate this machine does not trust"
                    f" ({reason.verify_message}); give the certificate (or its CA) with"
                    " --cacert FILE",
                ) from None
            raise CtlError(
                "unreachable", f"cannot reach {self.url} ({reason}); is the server running there?"
            ) from None


def summary(envelope: dict[str, Any]) -> str:
    """One line: version, phase, session, speaker and time left."""
    state = envelope["state"]
    parts = [f"v{envelope['version']}", state["phase"]]
    if state["session"]:
        parts.append(state["session"]["title"])
    if state["speaker"]:
        parts.append(state["speaker"]["display_name"])
    timer = state["timer"]
    if timer["status"] != "stopped":
        parts.append(f"{countdown(timer['remaining_ms'])} left ({timer['status']})")
    return " · ".join(parts)


def moderator_token(data_dir: Path) -> str | None:
    """As the server finds it: ``PODIUM_MODERATOR_TOKEN``, else the data dir's token file."""
    return os.environ.get("PODIUM_MODERATOR_TOKEN") or read_token(data_dir / TOKEN_FILE)


def send(action: str, args: list[str], url: str, room: str | None,
         expected_version: int | None, data_dir: Path,
         cacert: str | None = None) -> str:  # fmt: skip
    """Send the command; the new state's summary, or ``CtlError`` as the API said it."""
    token = moderator_token(data_dir)
    api = Api(url=url, token=token, room=room, cacert=cacert)
    # an id of its own: when the server cannot tell whether the command was made
    # (``outcome_unknown``), sending it again with the same id applies it at most once
    command = {**build_command(action, args, expected_version)}
    command["command_id"] = f"ctl-{secrets.token_hex(8)}"
    for attempt in range(1, RETRIES + 1):
        try:
            envelope = api.request("POST", "/api/commands", command)
            break
        except CtlError as exc:
            if exc.code == "unauthorized":
                exc.message += (
                    "; podium ctl reads the token from PODIUM_MODERATOR_TOKEN, else from"
                    f" {data_dir / TOKEN_FILE} (--data-dir)"
                )
            if exc.code != "outcome_unknown" or attempt == RETRIES:
                raise
            time.sleep(RETRY_PAUSE_S)
    return summary(envelope)


def cmd_ctl(args: argparse.Namespace) -> int:
    try:
        print(send(args.action, args.args, args.url, args.room, args.expected_version,
                   Path(args.data_dir), args.cacert))  # fmt: skip
    except CtlError as exc:
        print(f"podium: {exc.code}: {exc.message}", file=sys.stderr)
        return 3 if exc.code == "unreachable" else 1
    return 0
