"""Who may see and do what (issue #10): the one place crmbot's access rules live.

Roles come from the users table (``rep``, ``manager``, ``finance``, ``admin``). A Slack user
crmbot does not know is added as a rep owning no clients, and is told an admin must add them.

- **Money** (CLV, receivables, order values, quote totals, expected revenue) about a
  client is shown to its owner, to everyone above the owner in the manager chain, to
  finance and to admins. Everyone else sees the client without figures. A card shared in a
  channel never carries figures: the channel's members are not checked one by one.
- **Channel links** (``/crm link``, ``/crm unlink``) are admin-only: a link changes where
  everybody's ``/crm log`` lands in that channel.
- An approver sees the total of a quote they are asked to decide (it is what they decide
  on); the requester sees the total of their own quote. Those surfaces check the
  approver/requester themselves (``domain/services/approvals*``).
- Operator surfaces — ``crmbot`` CLI (``import``, ``db``, ``run-job``) and the REST API with
  ``CRMBOT_API_TOKEN`` — act as an admin: whoever holds the machine or the token is one.

The rules are pure functions of users; ``money_for`` and ``require_admin`` read what they
need through the ``UserLookup`` port.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.errors import NotAllowed
from domain.model import Client, Role, User

MAX_CHAIN = 25  # a manager chain longer than this (or a loop) stops here
MONEY_ROLES = frozenset({Role.FINANCE, Role.ADMIN})
MONEY_WHO = "the client's owner, the owner's managers, finance and admins"
FIGURES_HIDDEN = f"Figures are hidden: they are shown to {MONEY_WHO}."
NO_ADMIN_HINT = "an operator adds one with `crmbot import users` (role `admin`)"
SHARED_WITHOUT_FIGURES = "Shared without figures: a channel sees the client, not its money."


class UserLookup(Protocol):
    """The part of the users repository the access rules read."""

    async def get(self, slack_user_id: str) -> User | None: ...
    async def list(self) -> Sequence[User]: ...


class AdminOnly(NotAllowed):
    """Only an admin may do this; the message names who to ask."""

    def __init__(self, what: str, admins: Sequence[str]) -> None:
        self.what, self.admins = what, list(admins)
        if admins:
            ask = "ask " + _names(admins)
        else:
            ask = f"no admin is set up yet: {NO_ADMIN_HINT}"
        super().__init__(f"Only an admin can {what}; {ask}.")


def is_admin(user: User) -> bool:
    return user.role == Role.ADMIN


def may_link_channels(user: User) -> bool:
    return is_admin(user)


def sees_money(viewer: User, *, owner: str | None, chain: Sequence[str]) -> bool:
    """Whether ``viewer`` sees the figures of a client owned by ``owner``, whose managers
    (nearest first) are ``chain``."""
    if viewer.role in MONEY_ROLES:
        return True
    if owner is None:
        return False
    return viewer.slack_user_id == owner or viewer.slack_user_id in chain


async def managers_of(users: UserLookup, slack_user_id: str | None) -> tuple[str, ...]:
    """Everyone above ``slack_user_id`` in the manager chain, nearest first (loop-safe)."""
    chain: list[str] = []
    seen = {slack_user_id}
    current = await users.get(slack_user_id) if slack_user_id else None
    while current is not None and len(chain) < MAX_CHAIN:
        boss = current.manager_slack_user_id
        if boss is None or boss in seen:
            break
        chain.append(boss)
        seen.add(boss)
        current = await users.get(boss)
    return tuple(chain)


async def money_for(users: UserLookup, viewer: User, client: Client) -> bool:
    """``sees_money`` for a stored client, reading the owner's chain only when it matters."""
    owner = client.owner_slack_user_id
    if sees_money(viewer, owner=owner, chain=()):
        return True
    if owner is None:
        return False
    return sees_money(viewer, owner=owner, chain=await managers_of(users, owner))


async def admin_names(users: UserLookup) -> list[str]:
    return sorted(u.name for u in await users.list() if is_admin(u))


async def require_admin(users: UserLookup, viewer: User, what: str) -> None:
    """Raise ``AdminOnly`` (naming the admins to ask) unless ``viewer`` is an admin."""
    if not is_admin(viewer):
        raise AdminOnly(what, await admin_names(users))


def newcomer_note(admins: Sequence[str]) -> str:
    """What a Slack user crmbot has just met is told, once, under their first reply."""
    ask = f"ask {_names(admins)}" if admins else "ask your crmbot admin"
    return (
        ":wave: You're new to crmbot, so for now you're a rep with no clients and no figures "
        f"are shown to you. To be set up with your role, manager and clients, {ask}."
    )


def _names(names: Sequence[str]) -> str:
    from domain.text import escape

    shown = [escape(n) for n in names[:5]]
    if len(names) > 5:
        shown.append(f"{len(names) - 5} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
