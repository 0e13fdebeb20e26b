"""The fan-out's threads over real sockets: every frame reaches its own socket whole, what
the kernel does not take is reported (never lost, never raised), and only sockets that are
safe to write behind a transport's back are handed to them."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from podium.runtime.fanout import CHUNK, MIN_SPREAD, FanoutThreads, writable_fd


@pytest.fixture
def pairs() -> Iterator[list[tuple[socket.socket, socket.socket]]]:
    made = [socket.socketpair() for _ in range(MIN_SPREAD + CHUNK + 5)]
    for writer, _ in made:
        writer.setblocking(False)
    yield made
    for writer, reader in made:
        writer.close()
        reader.close()


def read_exactly(sock: socket.socket, size: int) -> bytes:
    sock.settimeout(5)
    data = b""
    while len(data) < size:
        data += sock.recv(size - len(data))
    return data


def test_every_frame_reaches_its_own_socket_whole(
    pairs: list[tuple[socket.socket, socket.socket]],
) -> None:
    fanout = FanoutThreads(helpers=2)
    assert fanout.spreads(len(pairs)) and not fanout.spreads(MIN_SPREAD - 1)
    assert not FanoutThreads(helpers=0).spreads(len(pairs))
    for change in range(3):  # the same helpers, pass after pass
        frames = [
            f"change {change} for socket {i};".encode() * (i % 7 + 1) for i in range(len(pairs))
        ]
        sent = fanout.write([w.fileno() for w, _ in pairs], frames)
        assert sent == [len(f) for f in frames]
        for (_, reader), frame in zip(pairs, frames, strict=True):
            assert read_exactly(reader, len(frame)) == frame
    names = {t.name for t in threading.enumerate()}
    assert {"podium-fanout-1", "podium-fanout-2"} <= names


def test_what_the_kernel_does_not_take_is_reported_and_an_error_is_not_raised(
    pairs: list[tuple[socket.socket, socket.socket]],
) -> None:
    (full_writer, full_reader), gone_reader = pairs[0], pairs[1][1]
    full_writer.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    gone_reader.close()  # its peer is gone: the write fails with EPIPE
    big = bytes(range(256)) * 8192  # 2 MiB: more than the kernel holds for a reader asleep
    frames = [big] + [b"frame"] * (len(pairs) - 1)
    sent = FanoutThreads(helpers=1).write([w.fileno() for w, _ in pairs], frames)
    assert 0 < sent[0] < len(big)
    assert sent[1] == 0
    assert sent[2:] == [len(b"frame")] * (len(pairs) - 2)
    assert read_exactly(full_reader, sent[0]) == big[: sent[0]]  # the start, nothing more
    full_reader.setblocking(False)
    with pytest.raises(BlockingIOError):
        full_reader.recv(1)


def test_only_non_blocking_plain_sockets_are_written_behind_their_transport() -> None:
    a, b = socket.socketpair()
    with a, b:
        assert writable_fd(None, tls=False) is None
        assert writable_fd(a, tls=False) is None  # blocking: a write could wait for the reader
        a.setblocking(False)
        assert writable_fd(a, tls=False) == a.fileno()
        assert writable_fd(a, tls=True) is None  # its bytes must pass through TLS


def test_a_pass_that_fails_keeps_no_one_waiting_and_the_helper_goes_on(
    pairs: list[tuple[socket.socket, socket.socket]],
) -> None:
    """A bug in a pass's writes (here frames that are no bytes) raises from ``write`` once
    no helper is writing, rather than hanging it, and the helper serves the next pass."""
    fanout = FanoutThreads(helpers=1)
    fds = [w.fileno() for w, _ in pairs]
    frames: list = [object()] * len(pairs)  # os.write refuses them: TypeError, not OSError
    for _ in range(5):  # now and then the helper takes a chunk, and fails there too
        with pytest.raises(TypeError):
            fanout.write(fds, frames)
    assert all(t.is_alive() for t in threading.enumerate() if t.name == "podium-fanout-1")
    good = [b"after"] * len(pairs)
    assert fanout.write(fds, good) == [len(b"after")] * len(pairs)
