"""docs/integrations.md's ``signed()``, the helper a webhook receiver copies, run as the
doc writes it: it takes the right signature, refuses a wrong one, and refuses (rather
than raising) a header with characters beyond ASCII."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable

from tests.helpers import ROOT

BODY = b'{"event": "speaker_started"}'
SECRET = "webhook-secret-0123456789"


def doc_signed() -> Callable[[bytes, str, str], bool]:
    text = (ROOT / "docs" / "integrations.md").read_text()
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "def signed" in b]
    scope: dict[str, object] = {}
    exec(block, scope)
    return scope["signed"]  # type: ignore[return-value]


def test_the_docs_signed_helper_checks_and_never_raises() -> None:
    signed = doc_signed()
    right = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert signed(BODY, right, SECRET)
    assert not signed(BODY, right[:-1] + "0", SECRET)
    assert not signed(BODY + b" ", right, SECRET)
    assert not signed(BODY, "sha256=é" + right[8:], SECRET)
    assert not signed(BODY, "sha256=\udcff", SECRET)  # undecodable bytes, as a server reads them
