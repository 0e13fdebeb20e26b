"""A deliberately bad WebSocket client on a plain socket: it can send any frame (invalid
UTF-8, oversized, unmasked), refuse to read, or never answer a ping. Test support only."""

from __future__ import annotations

import base64
import os
import socket
import struct


def handshake(
    port: int,
    path: str = "/ws",
    headers: dict[str, str] | None = None,
    rcvbuf: int = 0,
    sndbuf: int = 0,
) -> tuple[socket.socket, int, bytes]:
    """Open a socket and ask for an upgrade: ``(socket, HTTP status, response head+body)``;
    ``rcvbuf``, ``sndbuf``: its kernel buffers, set before it connects."""
    sock = socket.socket()
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if sndbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
    ]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        # peek first: after a 101 the server's first frame may come in the same segment,
        # and is left for ``read_frame``; any other answer is taken with its body
        chunk = sock.recv(4096, socket.MSG_PEEK)
        if not chunk:
            break
        end = (head + chunk).find(b"\r\n\r\n")
        upgraded = (head + chunk).startswith(b"HTTP/1.1 101")
        head += sock.recv(end + 4 - len(head) if end >= 0 and upgraded else len(chunk))
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return sock, status, head


def frame(payload: bytes, opcode: int = 0x1, masked: bool = True) -> bytes:
    """One client frame (RFC 6455 §5.2); clients must mask."""
    n = len(payload)
    mask_bit = 0x80 if masked else 0
    if n < 126:
        header = struct.pack("!BB", 0x80 | opcode, mask_bit | n)
    elif n < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, mask_bit | 126, n)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, mask_bit | 127, n)
    if not masked:
        return header + payload
    key = os.urandom(4)
    body = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return header + key + body


def read_frame(sock: socket.socket) -> tuple[int, bytes]:
    """The next server frame: ``(opcode, payload)``; ``(-1, b"")`` when the socket closed."""

    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    try:
        first, second = exactly(2)
        n = second & 0x7F
        if n == 126:
            n = struct.unpack("!H", exactly(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", exactly(8))[0]
        return first & 0x0F, exactly(n)
    except (ConnectionError, OSError):
        return -1, b""


def close_code(sock: socket.socket, limit: int = 100) -> int | None:
    """Read until a close frame; its code, or ``None`` if the socket just ended."""
    for _ in range(limit):
        opcode, payload = read_frame(sock)
        if opcode == -1:
            return None
        if opcode == 0x8:
            return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
    return None
