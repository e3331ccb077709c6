"""Request bodies of the REST API: the CONTRACT §5 columns, typed for JSON.

These models give the OpenAPI document its request schemas and check the JSON's shape
(types, required keys); the values are then checked by the same rules as a CSV import
(``domain.imports``), so the API and ``crmbot import`` accept exactly the same data.
Money is a JSON number or, exactly, a decimal string; dates are ISO-8601 (no zone: UTC).
Unknown keys are ignored, as extra CSV columns are, so a body read back from a ``GET``
(with its computed fields) can be sent again as it is.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.imports_rows import MAX_INT

Money = Annotated[
    Decimal,
    Field(description="At least 0, below 10^12, at most 2 decimals", examples=["1250.00"]),
]
Count = Annotated[int, Field(strict=True, ge=0, le=MAX_INT)]
When = Annotated[
    str,
    Field(
        json_schema_extra={"format": "date-time"},
        description="ISO-8601 date or date-time; without a zone it is UTC",
        examples=["2026-11-25T09:30:00Z"],
    ),
]
Id = Annotated[str, Field(description="An external id: 1-64 characters, no control characters")]
SlackId = Annotated[str, Field(description="A Slack user id known to crmbot", examples=["U0REP1"])]


class Body(BaseModel):
    """What every request body shares: no NUL character anywhere (no database takes it)."""

    model_config = ConfigDict(extra="ignore")

    external_id: Id | None = Field(
        None, description="Optional: the path's id wins, and a different one here is a 422"
    )

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and "\x00" in t for t in texts):
            raise ValueError("contains a NUL character")
        return value


class ClientIn(Body):
    name: str
    owner_slack_user_id: SlackId | None = None
    email: str | None = None
    phone: str | None = None
    credit_limit: Money | None = None
    payment_terms_days: Count | None = None
    tags: list[str] | str | None = Field(
        None, description="A list, or one text with the tags separated by ';' (as in CSV)"
    )
    created_at: When | None = None
    acquisition_cost: Money | None = None


class OrderIn(Body):
    client_external_id: Id = Field(description="An unknown client is created as a placeholder")
    ordered_at: When
    amount: Money
    cost: Money | None = None
    category: str | None = None
    items: Count | None = None


class InvoiceIn(Body):
    client_external_id: Id
    issued_at: When
    due_at: When
    amount: Money
    order_external_id: Id | None = None


class PaymentIn(Body):
    invoice_external_id: Id
    paid_at: When
    amount: Money


class QuoteIn(Body):
    client_external_id: Id
    requested_by_slack_user_id: SlackId
    total: Money
    discount_pct: Decimal | None = Field(None, description="0 to 100, at most 2 decimals")
    currency: str | None = Field(None, description="3-letter code; USD when left out")
    valid_until: When | None = None
    created_at: When | None = None
    description: str | None = None
