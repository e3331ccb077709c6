"""The ``when`` language of approval levels (CONTRACT §7): parsed here, never by Python.

Grammar (``not`` binds tighter than ``and``, which binds tighter than ``or``)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" expr ")" | comparison
    comparison := operand OP operand          OP: < <= > >= == !=
    operand    := NAME | NUMBER | 'text' | "text"

A comparison names at least one fact; numbers compare with numeric facts only, text with
text facts only (``<``/``>`` on text is refused: ``client.tier < "gold"`` means nothing).
A fact that is unknown for a quote (no credit limit: no headroom) makes its comparison
false, so an unknown never triggers a level by itself, and ``not`` of it is true.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from domain.approvals.nodes import Always, Compare, Expr, Join, Not

NUMERIC = frozenset({"total", "discount_pct", "credit_headroom"})
TEXTUAL = frozenset({"client.tier", "client.risk_level", "requester.role"})
FACTS = NUMERIC | TEXTUAL

_TOKEN = re.compile(
    r"""\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>"[^"]*"|'[^']*')|(?P<op><=|>=|==|!=|<|>)"""
    r"""|(?P<paren>[()])|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*))"""
)
_KEYWORDS = frozenset({"and", "or", "not"})


class ExpressionError(ValueError):
    """``when`` does not parse; the message says where (column, 1-based)."""

    def __init__(self, message: str, column: int) -> None:
        self.column = column
        super().__init__(f"when: {message} (column {column})")


@dataclass(frozen=True)
class Token:
    kind: str  # num, str, op, paren, name, kw, end
    text: str
    column: int


def tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        found = _TOKEN.match(text, pos)
        if found is None or found.end() == pos:
            start = len(text) - len(text[pos:].lstrip())
            raise ExpressionError(f"unexpected {text[start]!r}", start + 1)
        kind = found.lastgroup or ""
        word = found.group(kind)
        column = found.start(kind) + 1
        if kind == "name" and word in _KEYWORDS:
            kind = "kw"
        tokens.append(Token(kind, word, column))
        pos = found.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


def parse(text: str) -> Expr:
    """The expression in ``text``; an empty text always applies. ``ExpressionError`` else."""
    if not text.strip():
        return Always()
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text, self.tokens, self.at = text, tokenize(text), 0

    def parse(self) -> Expr:
        expr = self._or()
        token = self._peek()
        if token.kind != "end":
            raise ExpressionError(f"unexpected {token.text!r}", token.column)
        return expr

    def _peek(self) -> Token:
        return self.tokens[self.at]

    def _take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def _source(self, start: Token) -> str:
        end = self.tokens[self.at - 1]
        return self.text[start.column - 1 : end.column - 1 + len(end.text)].strip()

    def _join(self, op: str, lower: str) -> Expr:
        start = self._peek()
        parts = [getattr(self, lower)()]
        while self._peek().kind == "kw" and self._peek().text == op:
            self._take()
            parts.append(getattr(self, lower)())
        return parts[0] if len(parts) == 1 else Join(op, tuple(parts), self._source(start))

    def _or(self) -> Expr:
        return self._join("or", "_and")

    def _and(self) -> Expr:
        return self._join("and", "_not")

    def _not(self) -> Expr:
        token = self._peek()
        if token.kind == "kw" and token.text == "not":
            self._take()
            inner = self._not()
            return Not(inner, self._source(token))
        if token.kind == "paren" and token.text == "(":
            self._take()
            inner = self._or()
            close = self._take()
            if close.text != ")":
                raise ExpressionError("missing ')'", close.column)
            return inner
        return self._compare()

    def _compare(self) -> Compare:
        start = self._peek()
        left, left_fact = self._operand()
        op = self._take()
        if op.kind != "op":
            raise ExpressionError(f"expected a comparison after {start.text!r}", op.column)
        right, right_fact = self._operand()
        if not (left_fact or right_fact):
            raise ExpressionError("a comparison must name a fact", start.column)
        _check_types(left, left_fact, op, right, right_fact)
        return Compare(left, op.text, right, self._source(start), left_fact, right_fact)

    def _operand(self) -> tuple[str | Decimal, bool]:
        token = self._take()
        if token.kind == "name":
            if token.text not in FACTS:
                known = ", ".join(sorted(FACTS))
                raise ExpressionError(f"unknown name {token.text!r} (known: {known})", token.column)
            return token.text, True
        if token.kind == "num":
            try:
                return Decimal(token.text), False
            except InvalidOperation:  # the pattern admits only digits: unreachable
                raise ExpressionError(f"bad number {token.text!r}", token.column) from None
        if token.kind == "str":
            return token.text[1:-1], False
        shown = repr(token.text) if token.text else "end of expression"
        raise ExpressionError(f"expected a name, number or quoted text, got {shown}", token.column)


def _kind(value: str | Decimal, is_fact: bool) -> str:
    if is_fact:
        return "number" if value in NUMERIC else "text"
    return "text" if isinstance(value, str) else "number"


def _check_types(
    left: str | Decimal, left_fact: bool, op: Token, right: str | Decimal, right_fact: bool
) -> None:
    kinds = {_kind(left, left_fact), _kind(right, right_fact)}
    if len(kinds) > 1:
        raise ExpressionError("compares a number with text", op.column)
    if kinds == {"text"} and op.text not in ("==", "!="):
        raise ExpressionError(f"text compares only with == or !=, not {op.text}", op.column)
