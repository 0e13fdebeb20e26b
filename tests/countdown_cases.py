"""The countdown's cases (``tests/data/countdown-cases.json``): for a time left in ms, the
text the venue screen shows and the whole seconds it stands for. Written by hand, each
with why: a specification, not a snapshot. The rule is in docs/integrations.md ("The
countdown"); Python (``timefmt.countdown``, ``/api/state/text``, ``podium watch``) and the
pages (``countdown`` in ``web/js/countdown.js``) are held to it."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import ROOT

CASES_FILE = ROOT / "tests" / "data" / "countdown-cases.json"
CASES: list[dict[str, Any]] = json.loads(CASES_FILE.read_text(encoding="utf-8"))
NAMES = [f"{case['left_ms']}ms" for case in CASES]
