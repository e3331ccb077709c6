"""users.csv's optional ``teams_user_id`` column: a user's AAD object id, for Teams."""

from __future__ import annotations

import io

from domain.imports import parse_row, read_csv, spec_for
from domain.model import User

GUID = "8D9E4A57-1F0B-4C8E-9A62-3F1D2C4B5A69"


def test_the_column_is_optional_and_read_as_a_lower_case_guid() -> None:
    spec = spec_for("users")
    assert "teams_user_id" in spec.optional
    user, problems = parse_row(spec, {"slack_user_id": "U1", "name": "Ana", "teams_user_id": GUID})
    assert problems == [] and isinstance(user, User)
    assert user.teams_user_id == GUID.lower()
    braced, _ = parse_row(
        spec, {"slack_user_id": "U1", "name": "Ana", "teams_user_id": "{" + GUID + "}"}
    )
    assert isinstance(braced, User) and braced.teams_user_id == GUID.lower()
    blank, _ = parse_row(spec, {"slack_user_id": "U1", "name": "Ana", "teams_user_id": ""})
    assert isinstance(blank, User) and blank.teams_user_id is None


def test_a_teams_chat_id_is_refused_with_the_reason() -> None:
    user, problems = parse_row(
        spec_for("users"), {"slack_user_id": "U1", "name": "Ana", "teams_user_id": "29:1abc"}
    )
    assert user is None
    assert problems == ["teams_user_id '29:1abc': not an AAD object id (a GUID such as "
                        "00000000-0000-0000-0000-000000000000)"]  # fmt: skip


def test_a_file_with_the_column_reads_every_row() -> None:
    text = f"slack_user_id,name,teams_user_id\nU1,Ana,{GUID}\nU2,Bo,\n"
    rows = [parse_row(spec_for("users"), row)[0] for _, row in read_csv("users", io.StringIO(text))]
    assert [(u.slack_user_id, u.teams_user_id) for u in rows] == [  # type: ignore[union-attr]
        ("U1", GUID.lower()),
        ("U2", None),
    ]
