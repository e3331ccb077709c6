"""Bad input of every kind is refused with the field named, never crashed on (a 500).

These matrices run on SQLite only: what they test is decided before storage is touched,
and each kind of error also has a test in test_errors.py on both backends.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiClient, assert_error

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
@pytest.mark.parametrize(
    "raw",
    [
        "",
        "{",
        "not json",
        '{"name": "A",}',
        '{"name": "\\ud800"}',
        b'{"name": "\xff"}',
        "[" * 10_000 + "]" * 10_000,
    ],
)
async def test_400_for_what_is_not_json(api: ApiClient, raw: str | bytes) -> None:
    reply = await api.call(
        "PUT", "/clients/C-1", data=raw, headers={"Content-Type": "application/json"}
    )
    assert reply.status in (400, 422), reply.body
    assert reply.error["code"] in ("invalid_json", "invalid")


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/clients/C-1", {}, "name"),
        ("/clients/C-1", {"name": ""}, "name"),
        ("/clients/C-1", {"name": 42}, "name"),
        ("/clients/C-1", {"name": "A", "credit_limit": -5}, "credit_limit"),
        ("/clients/C-1", {"name": "A", "credit_limit": "1e400"}, "credit_limit"),
        ("/clients/C-1", {"name": "A", "credit_limit": "12.345"}, "credit_limit"),
        ("/clients/C-1", {"name": "A", "credit_limit": 10**13}, "credit_limit"),
        ("/clients/C-1", {"name": "A", "payment_terms_days": 10**40}, "payment_terms_days"),
        ("/clients/C-1", {"name": "A", "payment_terms_days": True}, "payment_terms_days"),
        ("/clients/C-1", {"name": "A", "payment_terms_days": 1.5}, "payment_terms_days"),
        ("/clients/C-1", {"name": "A", "email": "nope"}, "email"),
        ("/clients/C-1", {"name": "A\x00B"}, "name"),
        ("/clients/C-1", {"name": "A\nB"}, "name"),
        ("/clients/C-1", {"name": "A", "tags": ["ok", 3]}, "tags"),
        ("/clients/C-1", {"name": "A", "created_at": "yesterday"}, "created_at"),
        ("/clients/C-1", {"name": "A", "created_at": "9999-12-31T23:59:59-05:00"}, "created_at"),
        ("/clients/" + "x" * 65, {"name": "A"}, "external_id"),
        ("/clients/%01", {"name": "A"}, "external_id"),
        ("/orders/O-1", {"client_external_id": "C-1", "ordered_at": "2026-01-01"}, "amount"),
        (
            "/invoices/I-1",
            {
                "client_external_id": "C-1",
                "issued_at": "2026-02-01",
                "due_at": "2026-01-01",
                "amount": 1,
            },
            "due_at",
        ),
        (
            "/quotes/Q-1",
            {
                "client_external_id": "C-1",
                "requested_by_slack_user_id": "U1",
                "total": 1,
                "discount_pct": 101,
            },
            "discount_pct",
        ),
        (
            "/quotes/Q-1",
            {
                "client_external_id": "C-1",
                "requested_by_slack_user_id": "U1",
                "total": 1,
                "currency": "EURO",
            },
            "currency",
        ),
    ],
)
async def test_422_names_the_field(api: ApiClient, path: str, body: object, field: str) -> None:
    assert_error(await api.put(path, body), 422, "invalid", field)


@SQLITE_ONLY
@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "A", "credit_limit": NaN}',
        '{"name": "A", "credit_limit": Infinity}',
        "[1, 2]",
        "null",
        '"text"',
        "1e999999",
    ],
)
async def test_odd_json_is_refused_not_crashed(api: ApiClient, raw: str) -> None:
    reply = await api.call(
        "PUT", "/clients/C-1", data=raw, headers={"Content-Type": "application/json"}
    )
    assert reply.status in (400, 422), reply.body


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "9" * 50}, "limit"),
        ({"cursor": "garbage"}, "cursor"),
        ({"cursor": "W10"}, "cursor"),
        ({"cursor": "x" * 5000}, "cursor"),
        ({"cursor": "WyJjbGllbnRzIiwiXHUwMDAwIl0"}, "cursor"),  # ["clients","\u0000"]
        ({"cursor": "WyJjbGllbnRzIiwiXHVkODAwIl0"}, "cursor"),  # a lone surrogate
    ],
)
async def test_422_for_bad_paging(api: ApiClient, params: dict[str, str], field: str) -> None:
    assert_error(await api.get("/clients", **params), 422, "invalid", field)
