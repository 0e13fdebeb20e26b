"""The pages' files as a far browser gets them: compressed copies made at start
(``live/http/assets.py``), validators and ``Cache-Control``, every module announced up front,
and the first data in one preloaded answer. Timings are in ``tests/measure_page_load.py``."""

from __future__ import annotations

import gzip
import json
import posixpath
import re
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from podium.live.http import assets
from tests.helpers import ROOT, Server
from tests.web.test_web import READY, Faces, make_faces

WEB = ROOT / "web"
TEXT_FILES = sorted(p for p in assets.web_files(WEB) if p.suffix in assets.TEXT)
IMPORT = re.compile(r'^(?:import\s+|(?:import|export)\b[^;]*?\bfrom\s+)"(\.\.?/[\w/-]+\.js)"', re.M)
MODULE = r"/assets/js/([\w/-]+\.js)"  # a module's address, from web/js
VIEWER_TOKEN = "viewer-token-abcdefghijklmnopqrstuvwxyz"
VERSION = assets.digest(WEB)


def served(rel: Path) -> bytes:
    """What the copy holds for a file of web/: the file, a page with its ``/assets/``
    addresses under the version."""
    original = (WEB / rel).read_bytes()
    if rel.suffix != ".html":
        return original
    return original.replace(b'="/assets/', f'="/assets/{VERSION}/'.encode())


def get(server: Server, path: str, **headers: str) -> tuple[int, Message, bytes]:
    """A plain request: ``urllib`` sends no ``Accept-Encoding`` unless told."""
    request = urllib.request.Request(server.url + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(data_dir=tmp_path_factory.mktemp("assets") / "data").start()
    yield server
    server.kill()


# -- the compressed copy ---------------------------------------------------------------------


def test_the_copy_has_a_gzip_beside_each_text_file_and_is_reused(tmp_path: Path) -> None:
    copy = assets.prepare(tmp_path / "cache")
    assert copy.name == VERSION
    for rel in TEXT_FILES:
        assert (copy / rel).read_bytes() == served(rel)
        assert gzip.decompress((copy / f"{rel}.gz").read_bytes()) == served(rel)
        assert (copy / rel).stat().st_mtime_ns == (WEB / rel).stat().st_mtime_ns
    assert assets.prepare(tmp_path / "cache") == copy  # the same web/: the same copy
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [copy.name]


def test_a_changed_file_makes_a_new_copy(tmp_path: Path) -> None:
    source = tmp_path / "web"
    (source / "js").mkdir(parents=True)
    (source / "js" / "a.js").write_text("export const a = 1;\n" * 50)
    (source / ".hidden").write_text("not served")
    (source / "link.js").symlink_to(ROOT / "pyproject.toml")
    first = assets.prepare(tmp_path / "cache", source)
    assert sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file()) == [
        "js/a.js",
        "js/a.js.gz",
    ]
    (source / "js" / "a.js").write_text("export const a = 2;\n" * 50)
    second = assets.prepare(tmp_path / "cache", source)
    assert second != first
    assert gzip.decompress((second / "js" / "a.js.gz").read_bytes()).startswith(
        b"export const a = 2"
    )


def test_an_unwritable_data_dir_stops_the_server_with_a_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "web.cache").write_text("a file where the copies go")
    server = Server(data_dir=data)
    with pytest.raises(RuntimeError, match="cannot use the data dir"):
        server.start()


# -- served by aiohttp ---------------------------------------------------------------------


@pytest.mark.parametrize("rel", TEXT_FILES, ids=str)
def test_text_files_come_gzipped_when_accepted_and_plain_when_not(
    shared: Server, rel: Path
) -> None:
    original = served(rel)
    path = f"/assets/{rel.as_posix()}"
    status, headers, body = get(shared, path, **{"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == original and len(body) < len(original)
    assert headers["Vary"] == "Accept-Encoding" and headers["Cache-Control"] == "no-cache"
    status, headers, body = get(shared, path)
    assert status == 200 and "Content-Encoding" not in headers and body == original
    assert headers["Vary"] == "Accept-Encoding" and headers["Cache-Control"] == "no-cache"


REFUSED = ["gzip;q=0", "GZIP; Q=0.0", "gzip;q=0, deflate, br", "br, gzip;q=0", "*;q=0",
           "identity;q=0", "gzip;q=0.5, identity", "deflate", "gzip;q=bad", "gzip;q=2"]  # fmt: skip
ACCEPTED = ["gzip", "gzip;q=0.001", "*", "*;q=0.5", "x-gzip", "identity;q=0, gzip;q=0.2",
            "br;q=1.0, gzip;q=0.8, *;q=0.1", "deflate, gzip"]  # fmt: skip


@pytest.mark.parametrize("header", REFUSED)
def test_a_client_that_refuses_gzip_gets_no_gzip(shared: Server, header: str) -> None:
    """``gzip;q=0`` is a no (RFC 9110, 12.5.3): pages, assets and the first data come
    plain to it, however the header is written; nothing acceptable at all gets plain too."""
    assert not assets.accepts_gzip(header)
    for path in ("/viewer", "/assets/js/podium.js", f"/assets/{VERSION}/css/podium.css"):
        status, headers, body = get(shared, path, **{"Accept-Encoding": header})
        assert status == 200 and "Content-Encoding" not in headers, (path, header)
        assert not body.startswith(b"\x1f\x8b")
    status, headers, body = get(shared, "/api/first", **{"Accept-Encoding": header})
    assert status == 200 and "Content-Encoding" not in headers and json.loads(body)["state"]


@pytest.mark.parametrize("header", ACCEPTED)
def test_a_client_that_accepts_gzip_gets_it(shared: Server, header: str) -> None:
    assert assets.accepts_gzip(header)
    for path in ("/viewer", "/assets/js/podium.js", "/api/first"):
        status, headers, body = get(shared, path, **{"Accept-Encoding": header})
        assert status == 200 and headers["Content-Encoding"] == "gzip", (path, header)
        assert gzip.decompress(body)


def test_a_page_names_its_files_under_the_version_and_those_are_kept_a_year(
    shared: Server,
) -> None:
    page = get(shared, "/viewer", **{"Accept-Encoding": "gzip"})[2]
    refs = re.findall(r'(?:href|src)="(/assets/[^"]+)"', gzip.decompress(page).decode())
    assert refs and all(ref.startswith(f"/assets/{VERSION}/") for ref in refs), refs
    for ref in refs:
        status, headers, _ = get(shared, ref, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Cache-Control"] == assets.IMMUTABLE, ref
    status, headers, _ = get(shared, "/assets/js/podium.js")
    assert status == 200 and headers["Cache-Control"] == "no-cache"
    assert get(shared, f"/assets/{VERSION}/../pyproject.toml")[0] in (403, 404)


def test_only_the_files_of_web_are_put_under_the_version() -> None:
    html = '<link href="/assets/css/a.css"><img src="/assets/logo"><a href="/viewer">'
    assert assets.versioned(html, {"css/a.css"}, "v1") == (
        '<link href="/assets/v1/css/a.css"><img src="/assets/logo"><a href="/viewer">'
    )


@pytest.mark.parametrize(
    "path", ["/viewer", "/speaker", "/assets/js/podium.js", f"/assets/{VERSION}/js/i18n.js"]
)
def test_a_kept_copy_is_revalidated_with_304(shared: Server, path: str) -> None:
    gz = {"Accept-Encoding": "gzip"}
    status, headers, body = get(shared, path, **gz)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    etag = headers["ETag"]
    status, headers, body = get(shared, path, **gz, **{"If-None-Match": etag})
    assert (status, body, headers["ETag"]) == (304, b"", etag)
    status, _, body = get(shared, path, **gz, **{"If-None-Match": '"another"'})
    assert status == 200 and body
    # the plain file is another representation, with its own validator
    assert get(shared, path)[1]["ETag"] != etag


def test_the_first_data_is_the_programme_and_the_state_compressed(shared: Server) -> None:
    status, headers, body = get(shared, "/api/first", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    first = json.loads(gzip.decompress(body))
    assert first["programme"] == shared.request("GET", "/api/programme")[1]
    assert set(first["state"]) == {"room", "version", "server_time", "state"}
    assert first["state"]["version"] == shared.state()["version"]
    assert get(shared, "/api/first?room=nope")[0] == 404


def test_pages_announce_their_first_data(shared: Server) -> None:
    for page in ("/viewer", "/screen", "/overlay"):
        link = get(shared, page)[1]["Link"]
        assert link == "</api/first>; rel=preload; as=fetch; crossorigin", page
    room = shared.state()["room"]
    assert get(shared, f"/viewer?room={room}")[1]["Link"].startswith(f"</api/first?room={room}>")
    assert "Link" not in get(shared, "/viewer?room=nope")[1]  # the page says what is wrong
    assert "Link" not in get(shared, "/console")[1]  # its data needs the moderator's token


def test_a_private_event_announces_no_data(tmp_path: Path) -> None:
    server = Server(data_dir=tmp_path / "data", env={"PODIUM_VIEWER_TOKEN": VIEWER_TOKEN})
    server.start()
    try:
        assert "Link" not in get(server, "/viewer")[1]
        assert get(server, "/api/first")[0] == 401
    finally:
        server.kill()


# -- the module graph ----------------------------------------------------------------------


def imported(module: str, seen: set[str] | None = None) -> set[str]:
    """Every module ``module`` (a path under web/js) imports, directly or not (``from
    "./x.js"`` or ``"../x.js"``), as paths under web/js."""
    seen = set() if seen is None else seen
    for relative in IMPORT.findall((WEB / "js" / module).read_text()):
        name = posixpath.normpath(posixpath.join(posixpath.dirname(module), relative))
        if name not in seen:
            seen.add(name)
            imported(name, seen)
    return seen


@pytest.mark.parametrize("page", sorted(WEB.glob("*.html")), ids=lambda p: p.name)
def test_every_module_a_page_imports_is_preloaded(page: Path) -> None:
    html = page.read_text()
    entry = re.findall(rf'<script type="module" src="{MODULE}">', html)
    assert len(entry) == 1, page.name
    preloaded = set(re.findall(rf'<link rel="modulepreload" href="{MODULE}">', html))
    assert preloaded == imported(entry[0]), page.name


def test_the_pages_that_ask_for_the_first_data_are_the_ones_announcing_it() -> None:
    asking = set()
    for page in WEB.glob("*.html"):
        entry = re.search(rf'src="{MODULE}"', page.read_text())
        assert entry, page.name
        if "first: true" in (WEB / "js" / entry.group(1)).read_text():
            asking.add(page.name)
    assert asking == assets.FIRST_PAGES


# -- in a browser ----------------------------------------------------------------------------


@pytest.fixture
def faces(browser: Browser, shared: Server) -> Iterator[Faces]:
    yield from make_faces(browser, shared)


@pytest.mark.parametrize("face", ["viewer", "screen", "overlay"])
def test_a_page_uses_its_preloaded_data_and_asks_nothing_twice(faces: Faces, face: str) -> None:
    asked: list[str] = []
    warnings: list[str] = []
    faces.context.on("request", lambda r: asked.append(r.url.split("/", 3)[3]))
    faces.context.on("console", lambda m: warnings.append(m.text) if "preload" in m.text else None)
    page = faces.open(f"/{face}", ready="html[data-shown='state']")
    page.wait_for_selector(READY, state="attached")
    page.wait_for_function("() => performance.getEntriesByName('podium-shown').length > 0")
    api = [path.split("?")[0] for path in asked if path.startswith("api/")]
    # the viewer reads the audience's public questions besides (they are not in the state);
    # the screen between sessions shows the room's link to ask as a QR code
    expected = {
        "viewer": ["api/first", "api/questions"],
        "screen": ["api/first", "api/questions/qr"],
    }
    expected = expected.get(face, ["api/first"])
    assert api == expected, asked
    assert len(asked) == len(set(asked)), asked
    assert warnings == []
