"""The cards the chat commands answer with. User-supplied text is escaped here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.cards import Actions, Button, Card, Header, Note, Text
from domain.chat.commitments import Suggestion
from domain.dates import format_when
from domain.model import Activity, Client, Task, TaskOrigin
from domain.text import escape, safe

NOTES_SHOWN = 600
TASKS_SHOWN = 20

# action ids: the one vocabulary shared by cards and the listeners that answer them
UNDO = "undo_activity"
FOLLOW_UP = "follow_up_task"
ACCEPT = "accept_suggestion"
DONE = "task_done"
PICK = "pick_client"
# action ids of the approval, reminder and alert buttons (their handlers own the values)
APPROVE = "quote_approve"
REJECT = "quote_reject"
SNOOZE = "task_snooze"


def logged(
    activity: Activity,
    client: Client,
    *,
    tz: ZoneInfo,
    now: datetime,
    suggestion: tuple[Suggestion, str] | None = None,
) -> Card:
    when = format_when(activity.occurred_at, tz, now=now)
    blocks: list[Text | Actions | Note] = [
        Text(
            f":white_check_mark: Logged a *{activity.type}* with *{escape(client.name)}* "
            f"— {when}\n>{safe(activity.notes, NOTES_SHOWN).replace(chr(10), chr(10) + '>')}"
        ),
        Actions(
            (
                Button("Add follow-up task", FOLLOW_UP, str(client.id)),
                Button("Undo", UNDO, str(activity.id), style="danger"),
            )
        ),
    ]
    if suggestion:
        found, token = suggestion
        due = format_when(found.due_at, tz, now=now)
        blocks.insert(
            1,
            Text(
                f":bulb: Sounds like a promise: *{escape(found.title)}* — due {due}",
                button=Button("Add this task", ACCEPT, token, style="primary"),
            ),
        )
    return Card(summary=f"Logged a {activity.type} with {client.name}", blocks=tuple(blocks))


def task_created(task: Task, client: Client | None, *, tz: ZoneInfo, now: datetime) -> Card:
    who = (
        "you"
        if task.assignee_slack_user_id == task.created_by_slack_user_id
        else f"<@{task.assignee_slack_user_id}>"
    )
    about = f" for *{escape(client.name)}*" if client else ""
    due = format_when(task.due_at, tz, now=now)
    return Card(
        summary=f"Task created: {task.title}",
        blocks=(
            Text(
                f":memo: Task{about} for {who}: *{safe(task.title, 500)}*\nDue {due}",
                button=Button("Done", DONE, str(task.id)),
            ),
        ),
    )


def task_assigned(task: Task, client: Client | None, *, tz: ZoneInfo, now: datetime) -> Card:
    about = f" ({escape(client.name)})" if client else ""
    due = format_when(task.due_at, tz, now=now)
    return Card(
        summary=f"New task for you: {task.title}",  # plain: no mention, no id
        blocks=(
            Text(
                f"<@{task.created_by_slack_user_id}> gave you a task{about}: "
                f"*{safe(task.title, 500)}*\nDue {due}",
                button=Button("Done", DONE, str(task.id)),
            ),
        ),
    )


def auto_mark(task: Task) -> str:
    """How a task that a rule created (not a person) shows in lists."""
    return " · :robot_face: _auto-created_" if task.origin == TaskOrigin.AUTO_RULE else ""


def task_list(
    tasks: Sequence[Task], clients: dict[int, Client], *, tz: ZoneInfo, now: datetime
) -> Card:
    if not tasks:
        return Card("No open tasks", (Text(":tada: You have no open tasks."),))
    blocks: list[Header | Text | Note | Actions] = [Header(f"Your open tasks ({len(tasks)})")]
    for task in tasks[:TASKS_SHOWN]:
        client = clients.get(task.client_id or -1)
        late = ":red_circle: overdue · " if task.due_at < now else ""
        about = f" — {escape(client.name)}" if client else ""
        blocks.append(
            Text(
                f"*{safe(task.title, 300)}*{about}\n"
                f"{late}due {format_when(task.due_at, tz, now=now)}{auto_mark(task)}",
            )
        )
        blocks.append(  # 1 + 2 × TASKS_SHOWN + 1 blocks: within Slack's 50
            Actions((Button("Done", DONE, str(task.id)), Button("Snooze", SNOOZE, str(task.id))))
        )
    if len(tasks) > TASKS_SHOWN:
        blocks.append(Note(f"…and {len(tasks) - TASKS_SHOWN} more, due later."))
    return Card(summary=f"{len(tasks)} open tasks", blocks=tuple(blocks))


def choose_client(query: str, candidates: Sequence[Client], token: str, *, fuzzy: bool) -> Card:
    lead = (
        f"No client is called “{escape(query)}”. Did you mean one of these?"
        if fuzzy
        else f"Several clients match “{escape(query)}”. Which one?"
    )
    buttons = tuple(
        Button(f"{c.name} ({c.external_id})", PICK, f"{token}|{c.external_id}")
        for c in candidates[:5]
    )
    return Card(
        summary="Which client did you mean?",
        blocks=(Text(lead), Actions(buttons), Note("Nothing is saved until you pick one.")),
    )


def done(task: Task) -> Card:
    return Card(
        f"Done: {task.title}", (Text(f":white_check_mark: Done: ~{safe(task.title, 500)}~"),)
    )
