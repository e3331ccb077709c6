"""Domain errors: each builds the message a user sees."""

from __future__ import annotations


class CrmError(Exception):
    """Base of every error a user may be told about."""

    def user_message(self) -> str:
        return str(self)


class UsageError(CrmError, ValueError):
    """The user typed something the grammar does not accept."""


class ClientNotFound(CrmError, LookupError):
    def __init__(self, query: str, suggestions: list[str] | None = None) -> None:
        self.query = query
        self.suggestions = suggestions or []
        hint = ""
        if self.suggestions:
            hint = " Did you mean: " + ", ".join(self.suggestions) + "?"
        super().__init__(f"No client matches “{query}”.{hint}")


class UnknownUser(CrmError, LookupError):
    def __init__(self, slack_user_id: str) -> None:
        self.slack_user_id = slack_user_id
        super().__init__(f"<@{slack_user_id}> is not a crmbot user yet; ask an admin to add them.")


class NotAllowed(CrmError, PermissionError):
    """The user may not do this."""


class BadDate(CrmError, ValueError):
    def __init__(self, text: str, hint: str = "") -> None:
        self.text = text
        super().__init__(
            f"I couldn't read “{text}” as a date. "
            + (hint or "Try `tomorrow 3pm`, `next friday`, `in 2 days` or `2026-12-01 09:30`.")
        )


class ImportRejected(CrmError, ValueError):
    """A CSV file had bad rows; nothing of it was applied."""

    def __init__(self, kind: str, problems: list[tuple[int, str]]) -> None:
        self.kind = kind
        self.problems = problems
        lines = [f"line {line}: {msg}" for line, msg in problems[:50]]
        more = len(problems) - len(lines)
        if more > 0:
            lines.append(f"… and {more} more")
        super().__init__(
            f"{kind}: {len(problems)} bad row(s), nothing imported\n" + "\n".join(lines)
        )
