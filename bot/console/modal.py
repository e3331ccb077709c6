"""Filling a modal in the terminal, one input at a time, as Slack's form would."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.console.text import plain

if TYPE_CHECKING:
    from bot.console.driver import Driver, Reader

SKIP = "(press Enter to skip)"


async def fill_view(driver: Driver, view: dict[str, Any], read: Reader) -> None:
    """Ask for each input, submit, and go round again on field errors or a new view."""
    title = plain((view.get("title") or {}).get("text", "Form"))
    driver._say(f"== {title} ==  (type `cancel` to close)")
    values: dict[str, Any] = {}
    ask = [b for b in view.get("blocks", []) if b.get("type") == "input"]
    while True:
        for block in ask:
            value = await _ask(driver, view, block, read)
            if value == "cancel":
                driver._say("(closed)")
                return
            if value is not None:
                values[block["block_id"]] = {block["element"]["action_id"]: value}
            else:
                values.pop(block["block_id"], None)
        answer = await driver.submit_view(view, values)
        action = answer.get("response_action")
        if action == "errors":
            errors = answer.get("errors") or {}
            for message in errors.values():
                driver._say(f"  ✗ {message}")
            ask = [b for b in ask if b["block_id"] in errors]
            continue
        if action in ("update", "push") and answer.get("view"):
            await fill_view(driver, answer["view"], read)
        return


async def _ask(driver: Driver, view: dict[str, Any], block: dict[str, Any], read: Reader) -> Any:
    element = block.get("element", {})
    kind = element.get("type")
    label = plain(block.get("label", {}).get("text", "?"))
    optional = " " + SKIP if block.get("optional") else ""
    options = element.get("options") or []
    if kind == "external_select":
        query = await _line(driver, f"{label} — type a few letters{optional}", read)
        if not query or query == "cancel":
            return query or None
        options = await driver.suggest(view, block["block_id"], element["action_id"], query)
    if options or kind in ("static_select", "radio_buttons", "checkboxes"):
        return await _choose(driver, label + optional, kind, options, read)
    hint = {"datepicker": " (YYYY-MM-DD)", "timepicker": " (HH:MM)", "users_select": " (user id)"}
    answer = await _line(driver, f"{label}{hint.get(kind, '')}{optional}", read)
    if not answer or answer == "cancel":
        return answer or None
    key = {
        "datepicker": "selected_date",
        "timepicker": "selected_time",
        "users_select": "selected_user",
        "conversations_select": "selected_conversation",
        "channels_select": "selected_channel",
    }.get(kind, "value")
    return {"type": kind, key: answer}


async def _choose(
    driver: Driver, label: str, kind: str, options: list[dict[str, Any]], read: Reader
) -> Any:
    if not options:
        driver._say(f"{label}: nothing matches")
        return None
    for i, option in enumerate(options, 1):
        driver._say(f"  ({i}) {plain(option['text']['text'])}")
    answer = await _line(driver, f"{label} — pick a number", read)
    if not answer or answer == "cancel":
        return answer or None
    picked = [
        options[int(n) - 1]
        for n in answer.replace(",", " ").split()
        if n.isdigit() and 1 <= int(n) <= len(options)
    ]
    if not picked:
        return None
    if kind == "checkboxes":
        return {"type": kind, "selected_options": picked}
    return {"type": kind or "static_select", "selected_option": picked[0]}


async def _line(driver: Driver, prompt: str, read: Reader) -> str:
    driver._say(f"{prompt}:")
    return (await read()).strip()
