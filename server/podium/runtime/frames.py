"""WebSocket frames as a server sends them (RFC 6455 §5.2), encoded once and written to
many: the hub's changes and pings, and the load generator's baseline server."""

from __future__ import annotations

import struct

PING_FRAME = b"\x89\x00"  # an empty WebSocket ping, unmasked, as servers send it


def text_frame(payload: str) -> bytes:
    """An unmasked, unfragmented WebSocket text frame (RFC 6455 §5.2), as servers send."""
    data = payload.encode()
    n = len(data)
    if n < 126:
        header = struct.pack("!BB", 0x81, n)
    elif n < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, n)
    else:
        header = struct.pack("!BBQ", 0x81, 127, n)
    return header + data
