"""The audience's questions' rules in the core: the moderation steps as a table, walked
pair by pair (``core.questions.TRANSITIONS``)."""

from __future__ import annotations

from typing import get_args

import pytest

from podium.core.errors import InvalidTransition
from podium.core.questions import STATUSES, TRANSITIONS, Action, Question, next_status

ACTIONS: tuple[str, ...] = get_args(Action)

# every (status, action) pair: where it goes in a moderated event and in one that is not
# (None: refused). Written out by hand from the rules the if-chain had.
EXPECTED: dict[tuple[str, str], tuple[str | None, str | None]] = {
    ("pending", "approve"): ("approved", "approved"),
    ("pending", "dismiss"): ("dismissed", "dismissed"),
    ("pending", "answer"): ("answered", "answered"),
    ("pending", "restore"): (None, None),
    ("approved", "approve"): (None, None),
    ("approved", "dismiss"): ("dismissed", "dismissed"),
    ("approved", "answer"): ("answered", "answered"),
    ("approved", "restore"): (None, None),
    ("dismissed", "approve"): ("approved", "approved"),
    ("dismissed", "dismiss"): (None, None),
    ("dismissed", "answer"): (None, None),
    ("dismissed", "restore"): ("pending", "approved"),
    ("answered", "approve"): (None, None),
    ("answered", "dismiss"): ("dismissed", "dismissed"),
    ("answered", "answer"): (None, None),
    ("answered", "restore"): ("approved", "approved"),
}


def test_every_pair_is_written_down() -> None:
    assert set(EXPECTED) == {(s, a) for s in STATUSES for a in ACTIONS}
    assert set(TRANSITIONS) <= set(EXPECTED)


@pytest.mark.parametrize(("status", "action"), sorted(EXPECTED))
@pytest.mark.parametrize("moderated", [True, False])
def test_each_status_and_move_goes_where_the_table_says(
    status: str, action: str, moderated: bool
) -> None:
    question = Question.model_validate({"id": "q", "text": "?", "status": status, "asked_at": 0})
    expected = EXPECTED[(status, action)][0 if moderated else 1]
    assert ((status, action) in TRANSITIONS) == (expected is not None)
    if expected is None:
        with pytest.raises(InvalidTransition, match=f"the question is {status}"):
            next_status(question, action, moderated)
    else:
        assert next_status(question, action, moderated) == expected
