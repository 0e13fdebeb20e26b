"""Process limits a busy server (or load generator) needs: one file descriptor per socket."""

from __future__ import annotations

import resource


def raise_open_file_limit() -> int:
    """Raise the soft limit on open files to the hard limit; return the new soft limit.

    10,000 viewers need 10,000 sockets; many systems start processes with a soft limit of
    1,024. Raising it up to the hard limit needs no privilege.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft
