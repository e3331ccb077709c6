"""What each ``/crm`` command does: one unit of work per command, every change audited.

The service knows nothing of Slack: it takes who asked and the parsed command and
answers with a card. Notifications to other people go through the ``Notifier`` port,
inside the same transaction as the change they announce.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import access
from domain.cards import Card, Note, info_card
from domain.chat import codec, replies
from domain.chat.grammar import ClientQuery, Command, CreateTask, Find, LogActivity, Simple
from domain.errors import ClientNotFound, NotAllowed, UsageError
from domain.model import Client, Surface
from domain.ports import UnitOfWork, UnitOfWorkFactory, WriteNeeded
from domain.ports_alerts import DigestNow
from domain.ports_api import Webhooks
from domain.ports_approvals import QuotesWaitingCard
from domain.ports_chat import Notifier
from domain.scores.tiers import DEFAULT_TIERS
from domain.services import activities, channel_links, tasks
from domain.services.identity import Actor, Profile, ProfileSource, who_is
from domain.services.resolve import Choose, NoMatch, resolve_client
from domain.webhooks import NO_WEBHOOKS

PICK_TTL = timedelta(hours=1)
SHARE_TTL = timedelta(days=1)


@dataclass(frozen=True)
class Asker:
    slack_user_id: str
    channel_id: str | None
    surface: Surface


@dataclass
class ChatDeps:
    uow: UnitOfWorkFactory
    clock: Callable[[], datetime]
    profiles: ProfileSource
    notifier: Notifier
    default_tz: str
    webhooks: Webhooks = NO_WEBHOOKS  # activity.logged and task.completed go out through it
    approvals: QuotesWaitingCard | None = None  # /crm quotes
    digest: DigestNow | None = None  # /crm digest
    tiers: tuple[float, ...] = DEFAULT_TIERS  # CLV tiers on the health card ([scores] tiers)


class NeedsChoice(Exception):
    """Raised inside a unit of work: several candidates, answer with buttons instead."""

    def __init__(self, card: Card) -> None:
        self.card = card


class ChatService:
    def __init__(self, deps: ChatDeps) -> None:
        self.deps = deps

    async def actor(
        self, uow: UnitOfWork, slack_user_id: str, *, profiles: ProfileSource | None = None
    ) -> Actor:
        return await who_is(
            uow,
            slack_user_id,
            profiles=profiles or self.deps.profiles,
            now=self.deps.clock(),
            default_tz=self.deps.default_tz,
        )

    async def handle(self, asker: Asker, command: Command, *, public: bool = False) -> Card:
        """Run a command; the reply card. Domain errors propagate to the error handler.

        ``public``: the card is for a channel, so it carries no figures (``domain.access``).
        A user met for the first time is told, under this first reply, how to be set up.
        A command that only reads runs in a read-only unit first (on SQLite it then takes
        no write lock, ``storage/db.py``); one that turns out to write (a first-time user,
        a choice between clients to keep) is run again as a writer, nothing kept of the try.
        """
        profiles = AskedOnce(self.deps.profiles)  # the writer's run doesn't ask Slack again
        try:
            if reads_only(command):
                try:
                    return await self._unit(asker, command, profiles, public, read_only=True)
                except WriteNeeded:
                    pass
            return await self._unit(asker, command, profiles, public, read_only=False)
        except NeedsChoice as choice:
            return choice.card

    async def _unit(
        self,
        asker: Asker,
        command: Command,
        profiles: ProfileSource,
        public: bool,
        *,
        read_only: bool,
    ) -> Card:
        async with self.deps.uow(read_only=read_only) as uow:
            me = await self.actor(uow, asker.slack_user_id, profiles=profiles)
            card = await self._run(uow, me, asker, command, public=public)
            if not me.known:
                card = await with_newcomer_note(uow, card)
            await uow.commit()
        if card.shareable and not public:  # the Share button's token: a short write of its own
            async with self.deps.uow() as uow:
                card = await self._shareable(uow, asker, command, card)
                await uow.commit()
        return card

    async def _shareable(self, uow: UnitOfWork, asker: Asker, command: Command, card: Card) -> Card:
        token = await uow.pending.put(
            user=asker.slack_user_id,
            kind="share",
            payload={"command": codec.dump(command), "channel": asker.channel_id},
            now=self.deps.clock(),
            ttl=SHARE_TTL,
        )
        return dataclasses.replace(card, share_ref=token)

    async def share(self, asker: Asker, token: str) -> tuple[Card, str]:
        """Rebuild a shareable card with today's data, for posting where it was asked."""
        async with self.deps.uow() as uow:
            kept = await uow.pending.peek(token, user=asker.slack_user_id, now=self.deps.clock())
        if kept is None or not kept.get("channel"):
            raise UsageError("That card can't be shared any more; run the command again.")
        card = await self.handle(
            Asker(asker.slack_user_id, kept["channel"], asker.surface),
            codec.load(kept["command"]),
            public=True,
        )
        by = Note(f"Shared by <@{asker.slack_user_id}> · {access.SHARED_WITHOUT_FIGURES}")
        shared = dataclasses.replace(card, shareable=False, share_ref="", blocks=(*card.blocks, by))
        return shared, str(kept["channel"])

    async def _run(
        self, uow: UnitOfWork, me: Actor, asker: Asker, command: Command, *, public: bool
    ) -> Card:
        now = self.deps.clock()
        if isinstance(command, LogActivity):
            client = await self.client(uow, asker, command, command.client)
            return await activities.log(
                uow,
                me,
                command,
                client=client,
                surface=asker.surface,
                now=now,
                webhooks=self.deps.webhooks,
            )
        if isinstance(command, CreateTask):
            about = await self.optional_client(uow, asker, command)
            assignee = await self.actor(uow, command.assignee) if command.assignee else me
            return await tasks.create(
                uow,
                me,
                assignee,
                command,
                client=about,
                notifier=self.deps.notifier,
                surface=asker.surface,
                now=now,
            )
        if isinstance(command, Simple) and command.verb == "tasks":
            return await tasks.list_open(uow, me, now=now)
        if isinstance(command, Simple) and command.verb == "quotes" and self.deps.approvals:
            return await self.deps.approvals.waiting_card(uow, me.slack_user_id, now=now)
        if isinstance(command, Simple) and command.verb == "digest" and self.deps.digest:
            return await self.deps.digest.send_now(uow, me.slack_user_id, now=now)
        if isinstance(command, Simple) and command.verb == "unlink":
            return await channel_links.unlink(
                uow, me, channel_id=asker.channel_id, surface=asker.surface, now=now
            )
        if isinstance(command, ClientQuery):
            if command.verb == "link":
                await channel_links.check(uow, me)  # before any candidate is offered
            client = await self.client(uow, asker, command, command.client)
            if command.verb == "link":
                return await channel_links.link(
                    uow, me, client, channel_id=asker.channel_id, surface=asker.surface, now=now
                )
            return await self._health(uow, me, client, now=now, public=public)
        if isinstance(command, Find):
            return await self._find(uow, command.text)
        raise UsageError("That command isn't available here yet; `/crm help` lists what is.")

    async def client(
        self, uow: UnitOfWork, asker: Asker, command: Command, query: str | None
    ) -> Client:
        """Resolve CLIENT (or the channel's linked client); never guess a fuzzy match."""
        if query is None:
            linked = await uow.links.client_for(asker.channel_id) if asker.channel_id else None
            if linked is None:
                raise UsageError(
                    "This channel isn't linked to a client, so name one: "
                    "`/crm log call Acme: …` — or have an admin link it (`/crm link Acme`)."
                )
            return linked
        found = await resolve_client(uow, query)
        if isinstance(found, NoMatch):
            raise ClientNotFound(query, [c.name for c in found.suggestions])
        if isinstance(found, Choose):
            token = await uow.pending.put(
                user=asker.slack_user_id,
                kind="pick_client",
                payload={
                    "command": codec.dump(command),
                    "channel": asker.channel_id,
                    "choices": [c.external_id for c in found.candidates],
                },
                now=self.deps.clock(),
                ttl=PICK_TTL,
            )
            await uow.commit()
            raise NeedsChoice(
                replies.choose_client(query, found.candidates, token, fuzzy=found.fuzzy)
            )
        return found.client

    async def optional_client(
        self, uow: UnitOfWork, asker: Asker, command: CreateTask
    ) -> Client | None:
        """A task may be about no client: without one named, the channel's, if linked."""
        if command.client is not None:
            return await self.client(uow, asker, command, command.client)
        return await uow.links.client_for(asker.channel_id) if asker.channel_id else None

    async def pick(self, asker: Asker, token: str, external_id: str) -> Card:
        """A candidate button: re-run the kept command with the chosen client, once."""
        async with self.deps.uow() as uow:
            kept = await uow.pending.use(token, user=asker.slack_user_id, now=self.deps.clock())
            await uow.commit()
        if kept is None:
            return info_card("That choice was already made (or has expired).")
        if external_id not in kept["choices"]:
            raise NotAllowed("That isn't one of the clients offered.")
        command = codec.with_client(codec.load(kept["command"]), external_id)  # type: ignore[arg-type]
        channel = kept.get("channel") or asker.channel_id
        return await self.handle(Asker(asker.slack_user_id, channel, asker.surface), command)

    async def undo(self, asker: Asker, activity_id: int) -> Card:
        async with self.deps.uow() as uow:
            card = await activities.undo(
                uow, asker.slack_user_id, activity_id, now=self.deps.clock()
            )
            await uow.commit()
            return card

    async def done(self, asker: Asker, task_id: int) -> Card:
        async with self.deps.uow() as uow:
            card = await tasks.complete(
                uow,
                asker.slack_user_id,
                task_id,
                surface=asker.surface,
                now=self.deps.clock(),
                webhooks=self.deps.webhooks,
                default_tz=self.deps.default_tz,
            )
            await uow.commit()
            return card

    async def accept(self, asker: Asker, token: str) -> Card:
        """A suggested follow-up task, accepted with one click (once)."""
        async with self.deps.uow() as uow:
            me = await self.actor(uow, asker.slack_user_id)
            now = self.deps.clock()
            kept = await uow.pending.use(token, user=asker.slack_user_id, now=now)
            if kept is None:
                return info_card("That suggestion was already taken (or has expired).")
            card = await tasks.create_suggested(uow, me, kept, surface=asker.surface, now=now)
            await uow.commit()
            return card

    async def _health(
        self, uow: UnitOfWork, me: Actor, client: Client, *, now: datetime, public: bool
    ) -> Card:
        from domain.services.health import health_card, with_kept_scores

        assert client.id is not None
        snapshot = await uow.snapshots.load(client.id, now=now)
        if snapshot is None:
            raise ClientNotFound(client.external_id)
        snapshot = await with_kept_scores(uow, snapshot, now=now, tiers=self.deps.tiers)
        money = not public and await access.money_for(uow.users, me.user, client)
        card = health_card(snapshot, now=now, tz=me.tz, show_money=money)
        if money or public:
            return card
        return dataclasses.replace(card, blocks=(*card.blocks, Note(access.FIGURES_HIDDEN)))

    async def _find(self, uow: UnitOfWork, text: str) -> Card:
        from domain.services.finding import find_card

        return await find_card(uow, text)


class AskedOnce:
    """A profile source that asks once per user: a read-only try that turns out to need a
    write (a first-time or stale user) runs again, and must not ask Slack twice."""

    def __init__(self, source: ProfileSource) -> None:
        self._source = source
        self._answers: dict[str, Profile | None] = {}

    async def profile(self, slack_user_id: str) -> Profile | None:
        if slack_user_id not in self._answers:
            self._answers[slack_user_id] = await self._source.profile(slack_user_id)
        return self._answers[slack_user_id]


def reads_only(command: Command) -> bool:
    """Commands that change nothing (but for the Share button's token, kept apart)."""
    if isinstance(command, ClientQuery):
        return command.verb == "health"
    if isinstance(command, Simple):
        return command.verb in ("tasks", "quotes")
    return isinstance(command, Find)


async def with_newcomer_note(uow: UnitOfWork, card: Card) -> Card:
    """``card`` with the note a first-time user gets: who they are to crmbot, whom to ask."""
    note = Note(access.newcomer_note(await access.admin_names(uow.users)))
    return dataclasses.replace(card, blocks=(*card.blocks, note))
