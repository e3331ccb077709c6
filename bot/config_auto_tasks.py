"""The ``[auto_tasks]`` section of the policy file: one table per rule (CONTRACT §4.5).

```toml
[auto_tasks.payment_overdue]   # "Follow up on payment"
enabled = true
days = 30                      # an invoice this many days past due
again_after_days = 14          # no new one for the client sooner than this after the last

[auto_tasks.reorder]           # "Reach out for reorder"
days = 0                       # this many days before the client's reorder window opens

[auto_tasks.check_in]          # "Check in"
days = 45                      # no contact logged for this many days

[auto_tasks.retention]         # "Retention outreach", when the risk score turns high
[auto_tasks.thank_you]         # "Thank-you call", when lifetime value reaches a higher tier
```

Unknown rules and keys are refused (with their line), like the rest of the file.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from domain.services.auto_tasks_rules import DEFAULT_RULES, RuleSettings


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    again_after_days: int | None = Field(None, ge=0, le=3650)


class ThresholdRule(_Rule):
    days: int | None = Field(None, ge=0, le=3650)


class AutoTasksPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    payment_overdue: ThresholdRule = ThresholdRule()
    reorder: ThresholdRule = ThresholdRule()
    check_in: ThresholdRule = ThresholdRule()
    retention: _Rule = _Rule()
    thank_you: _Rule = _Rule()

    def rules(self) -> dict[str, RuleSettings]:
        """Each rule's settings, the built-in defaults where the file says nothing."""
        found: dict[str, RuleSettings] = {}
        for name, default in DEFAULT_RULES.items():
            given: _Rule = getattr(self, name)
            days = getattr(given, "days", None)
            found[name] = RuleSettings(
                enabled=given.enabled,
                days=default.days if days is None else days,
                again_after_days=(
                    default.again_after_days
                    if given.again_after_days is None
                    else given.again_after_days
                ),
            )
        return found
