"""Parsing CSV import rows (CONTRACT §5): every rule, with good and bad values."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.errors import ImportRejected, UsageError
from domain.imports import (
    Entity,
    decode_lines,
    key_of,
    parse_row,
    read_csv,
    references,
    spec_for,
)
from domain.model import Client, Invoice, Order, Payment, Quote, Role, User

ORDER = {
    "external_id": "O-1",
    "client_external_id": "C-1",
    "ordered_at": "2026-01-31",
    "amount": "10.50",
}
INVOICE = {
    "external_id": "I-1",
    "client_external_id": "C-1",
    "issued_at": "2026-01-01",
    "due_at": "2026-01-31",
    "amount": "100",
}
QUOTE = {
    "external_id": "Q-1",
    "client_external_id": "C-1",
    "requested_by_slack_user_id": "U1",
    "total": "5000",
}


def parse(kind: str, row: dict[str, str]) -> Entity:
    entity, problems = parse_row(spec_for(kind), row)
    assert problems == []
    assert entity is not None
    return entity


def problems(kind: str, row: dict[str, str]) -> list[str]:
    entity, found = parse_row(spec_for(kind), row)
    assert entity is None
    return found


def rejected(kind: str, text: str) -> list[tuple[int, str]]:
    with pytest.raises(ImportRejected) as caught:
        list(read_csv(kind, io.StringIO(text, newline="")))
    assert caught.value.kind == kind
    return caught.value.problems


# --- every kind, good rows -------------------------------------------------------------


def test_user_row_with_defaults() -> None:
    user = parse("users", {"slack_user_id": " U1 ", "name": "Ana", "role": "", "timezone": ""})
    assert user == User(slack_user_id="U1", name="Ana", role=Role.REP)


def test_user_row_full() -> None:
    row = {
        "slack_user_id": "U2",
        "name": "Marta",
        "email": "marta@example.com",
        "role": "Finance",
        "manager_slack_user_id": "U1",
        "timezone": "Europe/Berlin",
    }
    user = parse("users", row)
    assert isinstance(user, User)
    assert (user.role, user.timezone, user.manager_slack_user_id) == (
        Role.FINANCE,
        "Europe/Berlin",
        "U1",
    )
    assert user.email == "marta@example.com"


def test_client_row_full() -> None:
    row = {
        "external_id": "C-1",
        "name": "Acme, Inc.",
        "owner_slack_user_id": "U1",
        "credit_limit": "25000.5",
        "payment_terms_days": "30",
        "tags": " vip ; ;wholesale;vip;",
        "created_at": "2024-03-15T10:00:00+02:00",
        "acquisition_cost": "0",
        "email": "",
        "phone": "+1 555 0100",
    }
    client = parse("clients", row)
    assert isinstance(client, Client)
    assert client.credit_limit == Decimal("25000.50")
    assert client.payment_terms_days == 30
    assert client.tags == ["vip", "wholesale"]
    assert client.created_at == datetime(2024, 3, 15, 8, 0, tzinfo=UTC)
    assert client.acquisition_cost == Decimal("0.00")
    assert client.email is None
    assert client.phone == "+1 555 0100"
    assert client.placeholder is False


def test_order_row() -> None:
    order = parse("orders", {**ORDER, "cost": "7", "category": "tools", "items": "3"})
    assert order == Order(
        external_id="O-1",
        client_external_id="C-1",
        ordered_at=datetime(2026, 1, 31, tzinfo=UTC),
        amount=Decimal("10.50"),
        cost=Decimal("7.00"),
        category="tools",
        items=3,
    )


def test_empty_optionals_are_none() -> None:
    order = parse("orders", {**ORDER, "cost": "", "category": "  ", "items": ""})
    assert isinstance(order, Order)
    assert (order.cost, order.category, order.items) == (None, None, None)


def test_invoice_and_payment_rows() -> None:
    invoice = parse("invoices", {**INVOICE, "order_external_id": "O-1"})
    assert isinstance(invoice, Invoice)
    assert invoice.due_at - invoice.issued_at == datetime(2026, 1, 31) - datetime(2026, 1, 1)
    assert invoice.order_external_id == "O-1"
    row = {
        "external_id": "P-1",
        "invoice_external_id": "I-1",
        "paid_at": "2026-02-01",
        "amount": "100",
    }
    payment = parse("payments", row)
    assert payment == Payment("P-1", "I-1", datetime(2026, 2, 1, tzinfo=UTC), Decimal("100.00"))


def test_invoice_due_on_issue_day_is_fine() -> None:
    assert parse("invoices", {**INVOICE, "due_at": "2026-01-01"})


def test_quote_row_defaults_and_values() -> None:
    quote = parse("quotes", QUOTE)
    assert isinstance(quote, Quote)
    assert (quote.discount_pct, quote.currency, quote.valid_until) == (Decimal(0), "USD", None)
    full = parse(
        "quotes",
        {**QUOTE, "discount_pct": "12.5", "currency": "eur", "valid_until": "2026-12-31"},
    )
    assert isinstance(full, Quote)
    assert (full.discount_pct, full.currency) == (Decimal("12.50"), "EUR")
    assert full.valid_until == datetime(2026, 12, 31, tzinfo=UTC)
    assert full.status == "pending_approval"


# --- values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-31", datetime(2026, 1, 31, tzinfo=UTC)),
        ("2026-01-31T09:30", datetime(2026, 1, 31, 9, 30, tzinfo=UTC)),
        ("2026-01-31 09:30:15", datetime(2026, 1, 31, 9, 30, 15, tzinfo=UTC)),
        ("2026-01-31T09:30Z", datetime(2026, 1, 31, 9, 30, tzinfo=UTC)),
        ("2026-01-31T09:30:00-05:00", datetime(2026, 1, 31, 14, 30, tzinfo=UTC)),
        ("2026-01-01T01:00+02:00", datetime(2025, 12, 31, 23, 0, tzinfo=UTC)),
    ],
)
def test_dates_are_aware_utc(text: str, expected: datetime) -> None:
    order = parse("orders", {**ORDER, "ordered_at": text})
    assert isinstance(order, Order)
    assert order.ordered_at == expected
    assert order.ordered_at.utcoffset() is not None
    assert order.ordered_at.tzinfo == UTC


@pytest.mark.parametrize("text", ["31/01/2026", "yesterday", "2026-02-30", "2026-01-31T25:00"])
def test_bad_dates(text: str) -> None:
    [message] = problems("orders", {**ORDER, "ordered_at": text})
    assert message.startswith(f"ordered_at {text!r}: not an ISO-8601 date")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", "0.00"), ("12", "12.00"), ("12.3", "12.30"), ("12.30", "12.30"), ("1.500", "1.50")],
)
def test_good_amounts(text: str, expected: str) -> None:
    order = parse("orders", {**ORDER, "amount": text})
    assert isinstance(order, Order)
    assert order.amount == Decimal(expected)
    assert str(order.amount) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("-1", "must not be negative"),
        ("12.345", "has more than 2 decimals"),
        ("NaN", "not a finite number"),
        ("inf", "not a finite number"),
        ("-Infinity", "not a finite number"),
        ("1,000.00", "not a decimal number"),
        ("1e3", "not a decimal number"),
        ("ten", "not a decimal number"),
        ("1000000000000", "must be less than"),
    ],
)
def test_bad_amounts(text: str, why: str) -> None:
    [message] = problems("orders", {**ORDER, "amount": text})
    assert message.startswith(f"amount {text!r}: {why}")


@pytest.mark.parametrize("column", ["credit_limit", "acquisition_cost"])
def test_client_money_columns_checked(column: str) -> None:
    [message] = problems("clients", {"external_id": "C", "name": "N", column: "-5"})
    assert message == f"{column} '-5': must not be negative"


@pytest.mark.parametrize(("text", "ok"), [("0", True), ("100", True), ("100.01", False)])
def test_discount_is_a_percentage(text: str, ok: bool) -> None:
    entity, found = parse_row(spec_for("quotes"), {**QUOTE, "discount_pct": text})
    assert (entity is not None) is ok
    if not ok:
        assert found == [f"discount_pct {text!r}: must be at most 100"]


@pytest.mark.parametrize(("text", "why"), [("-1", "must not be negative"), ("2.5", "whole")])
def test_counts_are_non_negative_ints(text: str, why: str) -> None:
    [message] = problems("orders", {**ORDER, "items": text})
    assert message.startswith(f"items {text!r}:")
    assert why in message
    [message] = problems("clients", {"external_id": "C", "name": "N", "payment_terms_days": text})
    assert message.startswith(f"payment_terms_days {text!r}:")


def test_role_must_be_known() -> None:
    [message] = problems("users", {"slack_user_id": "U1", "name": "A", "role": "boss"})
    assert message == "role 'boss': not one of rep, manager, finance, admin"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "CET+1", "europe/paris", "/etc/passwd"])
def test_timezone_must_be_iana(zone: str) -> None:
    [message] = problems("users", {"slack_user_id": "U1", "name": "A", "timezone": zone})
    assert message.startswith(f"timezone {zone!r}: not an IANA time zone")


def test_user_cannot_manage_themselves() -> None:
    row = {"slack_user_id": "U1", "name": "A", "manager_slack_user_id": "U1"}
    assert problems("users", row) == ["manager_slack_user_id 'U1': a user cannot manage themselves"]


def test_due_before_issued_is_bad() -> None:
    [message] = problems("invoices", {**INVOICE, "due_at": "2025-12-31"})
    assert message == "due_at '2025-12-31': before issued_at 2026-01-01T00:00:00+00:00"


def test_bad_due_date_is_reported_once() -> None:
    assert problems("invoices", {**INVOICE, "due_at": "soon"}) == [
        "due_at 'soon': not an ISO-8601 date (write it like 2026-01-31 or 2026-01-31T09:30Z)"
    ]


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("", "external_id: required, but empty"),
        ("   ", "external_id: required, but empty"),
        ("X" * 65, "longer than 64 characters"),
        ("O\n1", "contains a line break or control character"),
    ],
)
def test_external_ids(value: str, why: str) -> None:
    [message] = problems("orders", {**ORDER, "external_id": value})
    assert why in message


def test_external_id_is_stripped_and_may_be_64_long() -> None:
    order = parse("orders", {**ORDER, "external_id": "  " + "X" * 64 + " "})
    assert isinstance(order, Order)
    assert order.external_id == "X" * 64


def test_names_at_most_300() -> None:
    assert parse("clients", {"external_id": "C", "name": "N" * 300})
    [message] = problems("clients", {"external_id": "C", "name": "N" * 301})
    assert message == "name 'NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN…': longer than 300 characters"


def test_email_checked_and_currency() -> None:
    assert problems("clients", {"external_id": "C", "name": "N", "email": "nobody"}) == [
        "email 'nobody': not an email address"
    ]
    assert problems("quotes", {**QUOTE, "currency": "dollars"}) == [
        "currency 'dollars': not a 3-letter currency code"
    ]


def test_every_problem_of_a_row_is_reported() -> None:
    row = {"external_id": "", "client_external_id": "C", "ordered_at": "x", "amount": "-1"}
    found = problems("orders", row)
    assert [m.split(" ")[0].rstrip(":") for m in found] == ["external_id", "ordered_at", "amount"]


def test_key_and_references() -> None:
    spec = spec_for("invoices")
    invoice = parse("invoices", {**INVOICE, "order_external_id": "O-9"})
    assert key_of(spec, invoice) == "I-1"
    assert [(r.column, r.target, v) for r, v in references(spec, invoice)] == [
        ("client_external_id", "clients", "C-1"),
        ("order_external_id", "orders", "O-9"),
    ]
    order_refs = list(references(spec_for("orders"), parse("orders", ORDER)))
    assert [(r.column, r.placeholder) for r, _ in order_refs] == [("client_external_id", True)]


def test_unknown_kind() -> None:
    with pytest.raises(UsageError, match="unknown kind 'widgets'"):
        spec_for("widgets")


# --- files ------------------------------------------------------------------------------


def test_read_csv_lines_headers_and_extra_columns() -> None:
    text = (
        "\ufeffExternal_ID , name,notes\r\n"
        'C-1,"Acme\r\nTools",first\r\n'
        "\r\n"
        ",,\r\n"
        "C-2,Borealis,second,unexpected extra cell\r\n"
        "C-3\r\n"
    )
    rows = list(read_csv("clients", io.StringIO(text, newline="")))
    assert rows == [
        (2, {"external_id": "C-1", "name": "Acme\r\nTools"}),
        (6, {"external_id": "C-2", "name": "Borealis"}),
        (7, {"external_id": "C-3", "name": ""}),
    ]


def test_line_numbers_after_a_multiline_quoted_cell() -> None:
    text = (
        "external_id,client_external_id,requested_by_slack_user_id,total,description\n"
        'Q-1,C-1,U1,10,"line one\nline two\nline three"\n'
        "Q-2,C-1,U1,-3,\n"
    )
    rows = list(read_csv("quotes", io.StringIO(text, newline="")))
    assert [line for line, _ in rows] == [2, 5]
    entity, _ = parse_row(spec_for("quotes"), rows[0][1])
    assert isinstance(entity, Quote)
    assert entity.description == "line one\nline two\nline three"
    assert parse_row(spec_for("quotes"), rows[1][1])[1] == ["total '-3': must not be negative"]


def test_missing_required_columns_reject_the_whole_file() -> None:
    found = rejected("orders", "external_id,client_external_id,amount\nO-1,C-1,3\n")
    assert found == [(1, "missing required column 'ordered_at'")]


def test_repeated_column_and_empty_file() -> None:
    assert rejected("clients", "external_id,name,name\nC,A,B\n") == [
        (1, "column 'name' appears more than once")
    ]
    assert rejected("clients", "") == [(1, "the file is empty: expected a header row")]
    assert rejected("clients", "\nexternal_id,name\n") == [(1, "blank: expected a header row")]


def test_unterminated_quote_is_reported() -> None:
    text = 'external_id,name\nC-0,Fine\nC-1,"Acme\nC-2,Borealis\n'
    [(line, message)] = rejected("clients", text)
    assert line == 3  # where the record with the open quote starts
    assert message.startswith("not well-formed CSV")


def test_decode_lines_finds_the_bad_line() -> None:
    raw = io.BytesIO(b"\xef\xbb\xbfexternal_id,name\nC-1,Zo\xc3\xab\nC-2,Caf\xe9\nC-3,Ok\n")
    reader = read_csv("clients", decode_lines(raw))
    assert next(reader) == (2, {"external_id": "C-1", "name": "Zoë"})
    with pytest.raises(ImportRejected) as caught:
        next(reader)
    assert caught.value.problems == [(3, "not UTF-8 text (byte 0xe9); save the file as UTF-8")]


def test_decode_lines_strips_the_bom() -> None:
    rows = list(
        read_csv("users", decode_lines(io.BytesIO(b"\xef\xbb\xbfslack_user_id,name\nU1,A\n")))
    )
    assert rows == [(2, {"slack_user_id": "U1", "name": "A"})]
