"""This process, among those sharing a store: a random id, made once when it starts."""

from __future__ import annotations

import secrets

PROCESS = secrets.token_hex(6)
