"""The event's own look (``[event.branding]``) and embedding: the programme's checks (a
missing or wrong logo refused, a bad colour refused, a faint colour warned about with its
ratio and page), the logo served as a static file that runs nothing, ``branding`` in
``/api/programme``, the report in the event's colours, and ``frame-ancestors`` from
``--frame-origin``. Real ``podium`` processes; the pages in Chromium are in
``test_web_branding.py``."""

from __future__ import annotations

import base64
import hashlib
import re
import struct
import subprocess
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from podium.core.config import programme_file
from podium.core.config.branding import contrast, contrast_warnings
from podium.core.errors import ProgrammeError
from podium.live.http.branding import LOGO_CSP
from tests.helpers import ROOT, SEED, Server, podium

SHORT = ROOT / "tests" / "programmes" / "short.toml"
LOGO = ROOT / "config" / "itu-miit-2021-logo.svg"
SEED_BRANDING = {
    "logo": "/branding/itu-miit-2021/logo.svg",
    "primary": "#0b4f8a",
    "accent": "#0e6e6e",
}


def png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x0b\x4f\x8a")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def branded(folder: Path, logo: str = "logo.png", primary: str = "#0b4f8a",
            accent: str = "#0e6e6e") -> Path:  # fmt: skip
    """short.toml with ``[event.branding]``, written in ``folder``."""
    text = SHORT.read_text().replace(
        "[[sessions]]",
        f'[event.branding]\nlogo = "{logo}"\nprimary = "{primary}"\naccent = "{accent}"\n\n'
        "[[sessions]]",
        1,
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "programme.toml"
    path.write_text(text)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ProgrammeError) as caught:
        programme_file.load(path)
    return caught.value.problems


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


# -- the programme ------------------------------------------------------------------------


def test_the_seed_is_branded_and_passes_aa_everywhere() -> None:
    look = programme_file.load(SEED).event.branding
    assert look is not None
    assert (look.logo_path, look.logo_type) == (LOGO, "image/svg+xml")
    assert (look.primary, look.accent) == ("#0b4f8a", "#0e6e6e")
    assert contrast_warnings(look) == []


def test_contrast_is_wcag_2() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just under AA
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # just over


def test_a_png_logo_and_short_colours_load(tmp_path: Path) -> None:
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "logo.png").write_bytes(png())
    look = programme_file.load(branded(tmp_path, "art/logo.png", "#14D", "#0E6E6E")).event.branding
    assert look is not None and look.logo_type == "image/png"
    assert (look.primary, look.accent) == ("#1144dd", "#0e6e6e")


@pytest.mark.parametrize(
    ("logo", "content", "says"),
    [
        ("missing.svg", None, "no logo at"),
        ("logo.gif", b"GIF89a", "is not an SVG or PNG file"),
        ("logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "is not a PNG image"),
        ("logo.svg", b"\x89PNG\r\n\x1a\n", "is not an SVG image"),
        ("/etc/logo.svg", None, "is absolute"),
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 600_000, "make it smaller than 512 KiB"),
    ],
)
def test_a_missing_or_wrong_logo_is_refused(
    tmp_path: Path, logo: str, content: bytes | None, says: str
) -> None:
    if content is not None:
        (tmp_path / logo).write_bytes(content)
    found = problems(branded(tmp_path, logo))
    assert len(found) == 1 and found[0].startswith("event.branding.logo: "), found
    assert says in found[0]


@pytest.mark.parametrize("logo", ["../outside.svg", "art/../../outside.svg", "../../../etc/x.svg",
                                  "link.svg", "art/link.svg"])  # fmt: skip
def test_a_logo_outside_the_programmes_folder_is_refused(tmp_path: Path, logo: str) -> None:
    """The logo is served to anyone: ``..`` or a symbolic link out of the programme's
    folder would publish any SVG or PNG on the disk. ``podium check`` says so too."""
    folder = tmp_path / "event"
    (folder / "art").mkdir(parents=True)
    outside = tmp_path / "outside.svg"
    outside.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    (folder / "link.svg").symlink_to(outside)
    (folder / "art" / "link.svg").symlink_to(outside)
    path = branded(folder, logo)
    found = problems(path)
    assert found == [
        f"event.branding.logo: {logo!r} leads outside the programme's folder ({folder});"
        " the logo is served to anyone, so it must be a file in that folder or one inside"
        " it: copy it there and name it relative to the programme file, e.g. 'logo.svg'"
    ]
    done = run_check(path)
    assert done.returncode == 1 and "leads outside the programme's folder" in done.stderr


def test_a_logo_in_a_folder_inside_the_programmes_or_linked_within_it_loads(
    tmp_path: Path,
) -> None:
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "logo.png").write_bytes(png())
    (tmp_path / "same.png").symlink_to(tmp_path / "art" / "logo.png")
    for logo in ("art/logo.png", "./art/../art/logo.png", "same.png"):
        look = programme_file.load(branded(tmp_path, logo)).event.branding
        assert look is not None and look.logo_path == (tmp_path / "art" / "logo.png").resolve()


@pytest.mark.parametrize("colour", ["blue", "#12345", "1d4ed8", "#1d4ed8ff", "rgb(0,0,0)"])
def test_a_colour_that_is_not_css_hex_is_refused(tmp_path: Path, colour: str) -> None:
    (tmp_path / "logo.png").write_bytes(png())
    found = problems(branded(tmp_path, accent=colour))
    assert found == [
        f"event.branding.accent: {colour!r} is not a CSS hex colour; write it like '#1d4ed8'"
    ]


def test_unknown_branding_keys_are_refused(tmp_path: Path) -> None:
    path = branded(tmp_path)
    (tmp_path / "logo.png").write_bytes(png())
    path.write_text(
        path.read_text().replace("[event.branding]\n", '[event.branding]\nfont = "x"\n')
    )
    assert problems(path) == ["event.branding.font: unknown field; remove it or check its spelling"]


def run_check(path: Path) -> subprocess.CompletedProcess[str]:
    return podium("check", str(path), timeout=60)


def test_check_warns_about_a_faint_colour_but_passes(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(png())
    done = run_check(branded(tmp_path, primary="#ffcc00"))  # yellow behind white text
    assert done.returncode == 0, done.stderr
    assert "branding: logo logo.png, primary #ffcc00, accent #0e6e6e" in done.stdout
    warnings = [line for line in done.stderr.splitlines() if line.startswith("  - ")]
    pages = {"console", "viewer", "screen", "overlay", "speaker", "report"}
    assert {re.search(r"on the (\w+) page", w)[1] for w in warnings} == pages  # type: ignore[index]
    assert all("#ffcc00 has a contrast of 1.51:1 against #ffffff" in w for w in warnings)
    assert all("under WCAG AA's 4.5:1; pick a darker colour" in w for w in warnings)
    assert f"{len(pages)} warning(s)" in done.stderr
    # the accent is measured against the viewer's page, a shade darker than white
    done = run_check(branded(tmp_path, accent="#767676"))
    assert "#767676 has a contrast of 4.20:1 against #f4f6f9 on the viewer page" in done.stderr
    assert "on the console page" not in done.stderr  # 4.54:1 on white passes


def test_serve_says_so_too_and_serves_the_event(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(png())
    path = branded(tmp_path, accent="#ff8800")  # orange under white button text: 2.6:1
    srv = Server(data_dir=tmp_path / "data", programmes=[path]).start()
    try:
        assert srv.request("GET", "/api/programme")[1]["branding"]["accent"] == "#ff8800"
        log = srv.log.read_text()
        assert f"{path}: warning: event.branding.accent: #ff8800 has a contrast of" in log
        assert "on the console page (the primary buttons, behind white text)" in log
    finally:
        srv.kill()


def test_check_fails_on_a_missing_logo(tmp_path: Path) -> None:
    done = run_check(branded(tmp_path, "nowhere.svg"))
    assert done.returncode == 1
    assert f"event.branding.logo: no logo at {tmp_path / 'nowhere.svg'}" in done.stderr


# -- the server ---------------------------------------------------------------------------


@pytest.fixture
def seed(tmp_path: Path) -> Iterator[Server]:
    srv = Server(data_dir=tmp_path / "data").start()
    yield srv
    srv.kill()


def test_the_programme_carries_branding_and_the_logo_runs_nothing(seed: Server) -> None:
    status, body = seed.request("GET", "/api/programme")
    assert status == 200 and body["branding"] == SEED_BRANDING
    status, headers, data = get(seed.url + SEED_BRANDING["logo"])
    assert status == 200 and data == LOGO.read_bytes()
    assert headers["Content-Type"] == "image/svg+xml"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == LOGO_CSP
    assert "sandbox" in LOGO_CSP and "default-src 'none'" in LOGO_CSP
    at = "/branding/itu-miit-2021"
    for wrong in (f"{at}/logo.png", "/branding/elsewhere/logo.svg", f"{at}/logo.gif"):
        assert get(seed.url + wrong)[0] == 404, wrong


def test_a_private_events_png_logo_is_public(tmp_path: Path) -> None:
    (tmp_path / "p" / "logo.png").parent.mkdir()
    (tmp_path / "p" / "logo.png").write_bytes(png())
    path = branded(tmp_path / "p")
    env = {"PODIUM_VIEWER_TOKEN": "viewer-token-abcdefghijklmnopqrstuvwxyz"}
    srv = Server(data_dir=tmp_path / "data", programmes=[path], env=env).start()
    try:
        assert srv.request("GET", "/api/programme")[0] == 401  # the event is private
        status, headers, data = get(srv.url + "/branding/short-test/logo.png")
        assert status == 200 and data == png()
        assert headers["Content-Type"] == "image/png"
        assert headers["X-Content-Type-Options"] == "nosniff"
    finally:
        srv.kill()


def test_a_programme_without_branding_says_none(tmp_path: Path) -> None:
    srv = Server(data_dir=tmp_path / "data", programmes=[SHORT]).start()
    try:
        assert srv.request("GET", "/api/programme")[1]["branding"] is None
        assert get(srv.url + "/branding/short-test/logo.svg")[0] == 404
    finally:
        srv.kill()


def test_the_report_is_in_the_events_colours_under_its_own_policy(seed: Server) -> None:
    seed.command("start_session", session_id="opening-session")
    request = urllib.request.Request(
        seed.url + "/api/report?format=html", headers={"Authorization": f"Bearer {seed.token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        csp, html = response.headers["Content-Security-Policy"], response.read().decode()
    brand = ":root{--primary:#0b4f8a;--accent:#0e6e6e}"
    assert f"<style>{brand}</style>" in html
    digest = base64.b64encode(hashlib.sha256(brand.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp  # allowed by the report's policy, and the pages'
    assert f"'sha256-{digest}'" in get(seed.url + "/console")[1]["Content-Security-Policy"]
    logo = base64.b64encode(LOGO.read_bytes()).decode()
    assert f'<img src="data:image/svg+xml;base64,{logo}" alt="">' in html


def directives(url: str) -> dict[str, str]:
    status, headers, _ = get(url)
    assert status == 200 and "X-Frame-Options" not in headers
    csp = headers["Content-Security-Policy"]
    return dict(d.strip().split(" ", 1) for d in csp.split(";"))


def test_frame_ancestors_none_by_default_and_the_viewer_for_frame_origins(
    seed: Server, tmp_path: Path
) -> None:
    for path, ancestors in (("/viewer", "'none'"), ("/console", "'none'"), ("/overlay", "*")):
        assert directives(seed.url + path)["frame-ancestors"] == ancestors
    given = [
        "https://Event.example.org/",
        "https://www.example.com:8443",
        "https://event.example.org",
    ]
    args = [arg for origin in given for arg in ("--frame-origin", origin)]
    framed = Server(data_dir=tmp_path / "framed", extra_args=args).start()
    try:
        origins = "https://event.example.org https://www.example.com:8443"
        assert directives(framed.url + "/viewer?compact=1")["frame-ancestors"] == origins
        for path in ("/console", "/screen", "/speaker", "/"):
            assert directives(framed.url + path)["frame-ancestors"] == "'none'", path
        assert directives(framed.url + "/overlay")["frame-ancestors"] == "*"
    finally:
        framed.kill()


@pytest.mark.parametrize("origin", ["event.example.org", "javascript:alert(1)", "https://a b"])
def test_a_frame_origin_that_is_not_an_origin_is_refused(tmp_path: Path, origin: str) -> None:
    done = podium(
        "serve",
        str(SHORT),
        "--port",
        "0",
        "--data-dir",
        str(tmp_path / "data"),
        "--frame-origin",
        origin,
        timeout=60,
    )
    assert done.returncode != 0 and "--frame-origin:" in done.stderr, done.stderr
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())


def test_the_seed_logo_is_our_own_drawing() -> None:
    """Not a copy of a trademark: a text and geometric mark with no script or link."""
    svg = LOGO.read_text()
    assert "<script" not in svg and "href" not in svg and "ITU · MIIT" in svg
