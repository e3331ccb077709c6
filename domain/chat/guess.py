"""Which kind of activity a pasted message most likely records: a simple keyword guess.

The first kind-word in the text wins ("Called Bo to set up a meeting" is a call), and a
forwarded email's header lines make it an email. The user can always change the guess.
"""

from __future__ import annotations

import re

from domain.model import ActivityType

_WORDS: dict[ActivityType, str] = {
    ActivityType.CALL: (
        r"call(?:ed|ing|s)?|phone[ds]?|rang|ring|voicemail|dial(?:l?ed)?|spoke (?:to|with)"
    ),
    ActivityType.EMAIL: r"e-?mail(?:ed|s)?|mailed|inbox|wrote (?:to|back)|replied|cc'?d",
    ActivityType.MEETING: (
        r"meet(?:ing|ings|s)?|met|visit(?:ed)?|on-?site|demo(?:ed)?|lunch|dinner|zoom|"
        r"workshop|presentation|face to face|in person"
    ),
}
_ANY = re.compile(
    "|".join(rf"(?P<{kind.value}>\b(?:{words})\b)" for kind, words in _WORDS.items()),
    re.IGNORECASE,
)
_EMAIL_HEADERS = re.compile(r"^(?:from|to|subject|sent|cc):\s", re.IGNORECASE | re.MULTILINE)
_LOOK_AT = 2000  # the opening says what it was; a long message's tail adds only noise


def guess_type(text: str) -> ActivityType:
    """call, email or meeting by the first telling word; note when nothing tells."""
    head = text[:_LOOK_AT]
    if len(_EMAIL_HEADERS.findall(head)) >= 2:
        return ActivityType.EMAIL
    found = _ANY.search(head)
    if found is None or found.lastgroup is None:
        return ActivityType.NOTE
    return ActivityType(found.lastgroup)
