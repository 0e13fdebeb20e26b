"""The pages and their assets, as a browser on a slow link best fetches them.

At start, ``web/`` is copied into ``DATA/web.cache/<digest>/`` with a gzip of each text
file beside it (``viewer.js`` and ``viewer.js.gz``). aiohttp's ``FileResponse`` sends the
``.gz`` sibling, with ``Content-Encoding: gzip``, to a client that accepts it; nothing is
compressed per request. The digest is of ``web/``'s content, so a restart reuses the
copy, a new version gets its own, and several processes on one data dir share it (each
builds in a temporary directory and renames it into place).

The pages in the copy point at ``/assets/<digest>/...``: those answers never change, so a
browser keeps them a year without asking (``immutable``), and a new version of Podium
has new addresses. The pages themselves, and ``/assets/...`` without the digest, carry
``Cache-Control: no-cache``: a browser keeps them and asks again with ``If-None-Match``,
answered ``304`` with no body. See ``docs/pages.md``.

Which copy a client gets follows its ``Accept-Encoding`` with its q-values
(``accepts_gzip``): ``gzip;q=0`` means no gzip. aiohttp's ``FileResponse`` looks only for
the word ``gzip`` in the header, so every file response is given the header as negotiated
(``NegotiatedFile``, by the middleware ``negotiated``).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.abc import AbstractStreamWriter

from podium.live.http.request import ROOMS, TOKENS, Handler
from podium.runtime.bundled import web_dir

WEB_DIR = web_dir()  # the package's pages (``runtime/bundled.py``)
WEB_CACHE = web.AppKey("web_cache", Path)
TEXT = frozenset({".html", ".js", ".css", ".svg", ".json"})
REVALIDATE = "no-cache"  # keep it, but ask (cheaply: 304) before each use
IMMUTABLE = "public, max-age=31536000, immutable"  # /assets/<digest>/: never changes
ASSET_REF = re.compile(r'(href|src)="/assets/([^"]+)"')
# The pages that ask for ``/api/first`` as they load (their ``Live`` is made with
# ``first: true``, ``web/js/connection.js``): announced in a ``Link`` header with the page so
# that the browser asks for it with the modules, not a round trip after them. Public
# events only: a private event's data needs the token the page holds.
FIRST_PAGES = frozenset({"viewer.html", "screen.html", "overlay.html"})
_RECIPE = b"gzip-9\n"  # in the digest: a change of how files are packed makes a new copy


def web_files(source: Path) -> Iterator[Path]:
    """The files under ``source`` to serve, relative to it, in a stable order: regular
    files only, no hidden names, no symbolic links (nothing from outside ``web/``)."""
    for top, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(top) / name
            if not name.startswith(".") and not path.is_symlink() and path.is_file():
                yield path.relative_to(source)


def digest(source: Path) -> str:
    """16 hex digits that change when any file to serve (name or bytes) does."""
    h = hashlib.sha256(_RECIPE)
    for rel in web_files(source):
        h.update(f"{rel.as_posix()}\0{(source / rel).stat().st_size}\0".encode())
        h.update((source / rel).read_bytes())
    return h.hexdigest()[:16]


def versioned(html: str, files: set[str], version: str) -> str:
    """``html`` with each ``/assets/`` address of one of ``files`` put under ``version``
    (any other address, say a route of its own, is left as it is)."""

    def put(match: re.Match[str]) -> str:
        attribute, rel = match.groups()
        return f'{attribute}="/assets/{version}/{rel}"' if rel in files else match.group(0)

    return ASSET_REF.sub(put, html)


def precompress(source: Path, target: Path, version: str) -> None:
    """Copy ``source`` into ``target`` (times kept, so validators survive a rebuild), the
    pages pointing at ``/assets/<version>/``, with a ``.gz`` beside each text file that
    gzip makes smaller."""
    served = list(web_files(source))
    names = {rel.as_posix() for rel in served}
    for rel in served:
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / rel, out)
        if rel.suffix == ".html":
            out.write_text(versioned(out.read_text(), names, version))
            shutil.copystat(source / rel, out)
        if rel.suffix not in TEXT:
            continue
        data = out.read_bytes()
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        if len(packed) < len(data):
            packed_path = out.with_name(out.name + ".gz")
            packed_path.write_bytes(packed)
            stat = out.stat()
            os.utime(packed_path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def prepare(cache_root: Path, source: Path = WEB_DIR) -> Path:
    """The ready copy of ``source`` under ``cache_root``, built now if there is none."""
    target = cache_root / digest(source)
    if target.is_dir():
        return target
    cache_root.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=cache_root))
    try:
        precompress(source, building, target.name)
        building.chmod(0o755)
        building.rename(target)
    except OSError:
        if not target.is_dir():  # not another process that won the race: a real failure
            raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


def _q(params: list[str]) -> float | None:
    """The q-value among a coding's parameters (1 when none); None when it is not one."""
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return None
            return q if 0 <= q <= 1 else None
    return 1.0


def accepts_gzip(header: str | None) -> bool:
    """Whether ``Accept-Encoding`` lets gzip be sent (RFC 9110, 12.5.3): gzip (or x-gzip)
    with q > 0, else ``*`` with q > 0, and not less wanted than identity when the header
    ranks it (``identity`` itself, or ``*``). No header, or nothing acceptable at all
    (``identity;q=0`` alone, ``*;q=0``), gets the plain file: every client reads that."""
    if not header:
        return False
    qs: dict[str, float] = {}
    for item in header.split(","):
        coding, *params = item.split(";")
        coding = coding.strip().lower()
        q = _q(params)
        if coding and q is not None:
            qs[coding] = max(q, qs.get(coding, 0.0))
    star = qs.get("*")
    listed = [qs[c] for c in ("gzip", "x-gzip") if c in qs]
    gzip_q = max(listed) if listed else (star or 0.0)
    identity_q = qs.get("identity", star or 0.0)
    return gzip_q > 0 and gzip_q >= identity_q


class NegotiatedFile(web.FileResponse):
    """A ``FileResponse`` that picks its ``.gz`` sibling by ``accepts_gzip``: it is
    prepared with the request's ``Accept-Encoding`` as negotiated (``gzip`` or
    ``identity``) when aiohttp's own reading of it would differ."""

    async def prepare(self, request: web.BaseRequest) -> AbstractStreamWriter | None:
        header = request.headers.get("Accept-Encoding")
        gzip_ok = accepts_gzip(header)
        if gzip_ok != ("gzip" in (header or "").lower()):
            headers = request.headers.copy()
            headers["Accept-Encoding"] = "gzip" if gzip_ok else "identity"
            with contextlib.suppress(RuntimeError):  # a request whose body was read
                request = request.clone(headers=headers)
        return await super().prepare(request)


@web.middleware
async def negotiated(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every file response (a page, an asset from the static routes, the logo) chooses
    its encoding by ``accepts_gzip``."""
    response = await handler(request)
    if type(response) is web.FileResponse:
        response.__class__ = NegotiatedFile  # the same object, its ``prepare`` negotiated
    return response


def page(request: web.Request, name: str) -> web.FileResponse:
    """A page (``viewer.html``) from the prepared copy, with its first data announced."""
    response = web.FileResponse(request.app[WEB_CACHE] / name)
    room = request.query.get("room")
    known = room is None or room in request.app[ROOMS]
    if name in FIRST_PAGES and known and not request.app[TOKENS].private:
        query = f"?{urlencode({'room': room})}" if room else ""
        response.headers["Link"] = f"</api/first{query}>; rel=preload; as=fetch; crossorigin"
    return response


async def _cache_headers(request: web.Request, response: web.StreamResponse) -> None:
    if isinstance(response, web.FileResponse) and response.status in (200, 304):
        versioned = request.path.startswith(f"/assets/{request.app[WEB_CACHE].name}/")
        response.headers.setdefault("Cache-Control", IMMUTABLE if versioned else REVALIDATE)
        response.headers.setdefault("Vary", "Accept-Encoding")


def add_routes(app: web.Application, files: Path) -> None:
    """Serve ``/assets/<digest>/`` and ``/assets/`` (and the pages, through ``page``) from
    ``files``, the copy ``prepare`` made."""
    app[WEB_CACHE] = files
    app.middlewares.append(negotiated)
    app.on_response_prepare.append(_cache_headers)
    app.router.add_static(f"/assets/{files.name}/", files, follow_symlinks=False)
    app.router.add_static("/assets/", files, follow_symlinks=False)
