"""Named points where a test may kill the process, to prove nothing is lost or sent twice.

``crash_point("digest.after_claim")`` does nothing unless the environment variable
``CRMBOT_TEST_CRASH_AT`` names that point (read at each call, never at import): then the
process ends at once with ``os._exit(CRASH_EXIT)`` — no ``finally``, no rollback, no
flush, as a ``kill -9`` or a power cut would leave it. ``tests/integration/
test_kill_points.py`` runs jobs as subprocesses with it set. Points in place:

- ``digest.after_claim``: a batch's digests claimed, nothing committed yet
- ``digest.after_commit``: claims and outbox rows committed, nothing sent
- ``outbox.after_claim``: rows leased (committed), nothing sent
- ``outbox.after_send_before_mark``: Slack accepted a call; the row is not marked sent
- ``outbox.after_mark``: that row marked sent; the rest of the batch not sent
- ``approval.after_decision_before_commit``: decision, audit, outbox rows written, not committed
- ``approval.after_commit``: the decision committed; its messages not sent
"""

from __future__ import annotations

import os
import sys

ENV = "CRMBOT_TEST_CRASH_AT"
CRASH_EXIT = 86  # not 1 (a user error) nor 2 (usage), so a test can tell the kill apart


def crash_point(name: str) -> None:
    if os.environ.get(ENV) == name:
        sys.stderr.write(f"crmbot: killed at crash point {name}\n")
        sys.stderr.flush()
        os._exit(CRASH_EXIT)
