"""CSV import rows (CONTRACT §5): what each kind's columns are and how a row becomes an entity.

Pure: text in, entities or messages out. ``read_csv`` turns lines of text into
``(line number, row)`` pairs, ``parse_row`` turns a row into an entity, and
``references`` names the ids an entity points to, which the import service checks
against the database.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from domain import imports_rows as cell
from domain.errors import ImportRejected, UsageError
from domain.imports_rows import Fields
from domain.model import Client, Invoice, Order, Payment, Quote, Role, User

Entity = User | Client | Order | Invoice | Payment | Quote
Row = Mapping[str, str | None]
EPOCH = cell.timestamp("1970-01-01")


@dataclass(frozen=True)
class Reference:
    """A column naming another entity, by that entity's kind."""

    column: str
    target: str
    noun: str
    placeholder: bool = False  # an unknown id creates a placeholder instead of failing


@dataclass(frozen=True)
class KindSpec:
    kind: str
    key: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    parse: Callable[[Fields], Entity]
    references: tuple[Reference, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


def _user(f: Fields) -> User:
    user = User(
        slack_user_id=f.required("slack_user_id", cell.identifier(32), default=""),
        name=f.required("name", cell.line(200), default=""),
        email=f.optional("email", cell.email),
        role=f.optional("role", cell.role) or Role.REP,
        manager_slack_user_id=f.optional("manager_slack_user_id", cell.identifier(32)),
        timezone=f.optional("timezone", cell.zone),
        teams_user_id=f.optional("teams_user_id", cell.aad_object_id),
    )
    if user.manager_slack_user_id and user.manager_slack_user_id == user.slack_user_id:
        f.problem("manager_slack_user_id", user.slack_user_id, "a user cannot manage themselves")
    return user


def _client(f: Fields) -> Client:
    return Client(
        external_id=f.required("external_id", cell.identifier(), default=""),
        name=f.required("name", cell.line(300), default=""),
        owner_slack_user_id=f.optional("owner_slack_user_id", cell.identifier(32)),
        email=f.optional("email", cell.email),
        phone=f.optional("phone", cell.line(64)),
        credit_limit=f.optional("credit_limit", cell.money),
        payment_terms_days=f.optional("payment_terms_days", cell.count),
        tags=f.optional("tags", cell.tags) or [],
        created_at=f.optional("created_at", cell.timestamp),
        acquisition_cost=f.optional("acquisition_cost", cell.money),
    )


def _order(f: Fields) -> Order:
    return Order(
        external_id=f.required("external_id", cell.identifier(), default=""),
        client_external_id=f.required("client_external_id", cell.identifier(), default=""),
        ordered_at=f.required("ordered_at", cell.timestamp, default=EPOCH),
        amount=f.required("amount", cell.money, default=Decimal(0)),
        cost=f.optional("cost", cell.money),
        category=f.optional("category", cell.line(100)),
        items=f.optional("items", cell.count),
    )


def _invoice(f: Fields) -> Invoice:
    invoice = Invoice(
        external_id=f.required("external_id", cell.identifier(), default=""),
        client_external_id=f.required("client_external_id", cell.identifier(), default=""),
        issued_at=f.required("issued_at", cell.timestamp, default=EPOCH),
        due_at=f.required("due_at", cell.timestamp, default=EPOCH),
        amount=f.required("amount", cell.money, default=Decimal(0)),
        order_external_id=f.optional("order_external_id", cell.identifier()),
    )
    if not f.bad & {"issued_at", "due_at"} and invoice.due_at < invoice.issued_at:
        due = (f.row.get("due_at") or "").strip()
        f.problem("due_at", due, f"before issued_at {invoice.issued_at.isoformat()}")
    return invoice


def _payment(f: Fields) -> Payment:
    return Payment(
        external_id=f.required("external_id", cell.identifier(), default=""),
        invoice_external_id=f.required("invoice_external_id", cell.identifier(), default=""),
        paid_at=f.required("paid_at", cell.timestamp, default=EPOCH),
        amount=f.required("amount", cell.money, default=Decimal(0)),
    )


def _quote(f: Fields) -> Quote:
    return Quote(
        external_id=f.required("external_id", cell.identifier(), default=""),
        client_external_id=f.required("client_external_id", cell.identifier(), default=""),
        requested_by_slack_user_id=f.required(
            "requested_by_slack_user_id", cell.identifier(32), default=""
        ),
        total=f.required("total", cell.money, default=Decimal(0)),
        discount_pct=f.optional("discount_pct", cell.percent) or Decimal("0.00"),
        currency=f.optional("currency", cell.currency) or "USD",
        valid_until=f.optional("valid_until", cell.timestamp),
        created_at=f.optional("created_at", cell.timestamp),
        description=f.optional("description", cell.long_text),
    )


_USER = Reference("manager_slack_user_id", "users", "user")
_OWNER = Reference("owner_slack_user_id", "users", "user")
_CLIENT = Reference("client_external_id", "clients", "client")

SPECS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            "users",
            "slack_user_id",
            ("slack_user_id", "name"),
            ("email", "role", "manager_slack_user_id", "timezone", "teams_user_id"),
            _user,
            (_USER,),
        ),
        KindSpec(
            "clients",
            "external_id",
            ("external_id", "name"),
            (
                "owner_slack_user_id",
                "email",
                "phone",
                "credit_limit",
                "payment_terms_days",
                "tags",
                "created_at",
                "acquisition_cost",
            ),
            _client,
            (_OWNER,),
        ),
        KindSpec(
            "orders",
            "external_id",
            ("external_id", "client_external_id", "ordered_at", "amount"),
            ("cost", "category", "items"),
            _order,
            (Reference("client_external_id", "clients", "client", placeholder=True),),
        ),
        KindSpec(
            "invoices",
            "external_id",
            ("external_id", "client_external_id", "issued_at", "due_at", "amount"),
            ("order_external_id",),
            _invoice,
            (_CLIENT, Reference("order_external_id", "orders", "order")),
        ),
        KindSpec(
            "payments",
            "external_id",
            ("external_id", "invoice_external_id", "paid_at", "amount"),
            (),
            _payment,
            (Reference("invoice_external_id", "invoices", "invoice"),),
        ),
        KindSpec(
            "quotes",
            "external_id",
            ("external_id", "client_external_id", "requested_by_slack_user_id", "total"),
            ("discount_pct", "currency", "valid_until", "created_at", "description"),
            _quote,
            (_CLIENT, Reference("requested_by_slack_user_id", "users", "user")),
        ),
    )
}
KINDS: tuple[str, ...] = tuple(SPECS)


def spec_for(kind: str) -> KindSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise UsageError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}") from None


def parse_row(spec: KindSpec, row: Row) -> tuple[Entity | None, list[str]]:
    """The entity of a row, or None and every problem of the row."""
    fields = Fields(row)
    entity = spec.parse(fields)
    return (None, fields.problems) if fields.problems else (entity, [])


def key_of(spec: KindSpec, entity: Entity) -> str:
    return str(getattr(entity, spec.key))


def references(spec: KindSpec, entity: Entity) -> Iterator[tuple[Reference, str]]:
    for ref in spec.references:
        value = getattr(entity, ref.column)
        if value:
            yield ref, str(value)


def missing_columns(spec: KindSpec, columns: Iterable[str]) -> list[tuple[int, str]]:
    present = set(columns)
    return [(1, f"missing required column {c!r}") for c in spec.required if c not in present]


def _header(spec: KindSpec, header: list[str] | None) -> dict[str, int]:
    """Known column → its index; a missing required or a repeated known column fails."""
    if header is None:
        raise ImportRejected(spec.kind, [(1, "the file is empty: expected a header row")])
    if not any(c.strip() for c in header):
        raise ImportRejected(spec.kind, [(1, "blank: expected a header row")])
    index: dict[str, int] = {}
    problems: list[tuple[int, str]] = []
    for i, raw in enumerate(header):
        name = raw.lstrip("\ufeff").strip().lower()
        if name in index and name in spec.columns:
            problems.append((1, f"column {name!r} appears more than once"))
        index.setdefault(name, i)
    problems += missing_columns(spec, index)
    if problems:
        raise ImportRejected(spec.kind, problems)
    return {name: i for name, i in index.items() if name in spec.columns}


def decode_lines(raw: Iterable[bytes]) -> Iterator[str]:
    """Decode a binary file line by line, so that a bad byte is found on its own line."""
    first = True
    for chunk in raw:
        yield chunk.decode("utf-8-sig" if first else "utf-8")
        first = False


def read_csv(kind: str, lines: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV text as ``(line, {column: cell})``; ``line`` is where the row starts.

    The header is line 1. Blank rows are skipped; a quoted cell may span lines. A file
    that is not UTF-8 or not well-formed CSV raises ``ImportRejected`` at the line.
    """
    spec = spec_for(kind)
    reader = csv.reader(lines, strict=True)
    start = 1
    try:
        columns = _header(spec, next(reader, None))
        while True:
            start = reader.line_num + 1
            record = next(reader, None)
            if record is None:
                return
            if any(c.strip() for c in record):
                yield start, {c: record[i] if i < len(record) else "" for c, i in columns.items()}
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start : exc.start + 1].hex()
        why = f"not UTF-8 text (byte 0x{byte}); save the file as UTF-8"
        raise ImportRejected(kind, [(reader.line_num + 1, why)]) from None
    except csv.Error as exc:
        raise ImportRejected(kind, [(start, f"not well-formed CSV: {exc}")]) from None
