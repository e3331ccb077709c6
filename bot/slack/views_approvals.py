"""The decision form: a required reason to reject, an optional comment to approve."""

from __future__ import annotations

import json
from typing import Any

from bot.slack.views import input_block
from domain.model import Decision

DECIDE = "quote_decision_modal"
NOTE = "note"
NOTE_MAX = 2000


def decision_view(
    *, chain_id: int, decision: Decision, channel: str | None, response_url: str | None
) -> dict[str, Any]:
    rejecting = decision is Decision.REJECTED
    title = "Reject quote" if rejecting else "Approve quote"
    label = "Why are you rejecting it?" if rejecting else "Comment (optional)"
    element = {"type": "plain_text_input", "multiline": True, "max_length": NOTE_MAX}
    metadata = {
        "chain": chain_id,
        "decision": decision.value,
        "channel": channel,
        "response_url": response_url,
    }
    return {
        "type": "modal",
        "callback_id": DECIDE,
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Reject" if rejecting else "Approve"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps(metadata),
        "blocks": [input_block(NOTE, label, element, optional=not rejecting)],
    }
