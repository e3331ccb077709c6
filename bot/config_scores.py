"""The ``[scores]`` section of the policy file: the CLV tiers' thresholds (CONTRACT §6).

```toml
[scores]
tiers = { platinum = 100000, gold = 50000, silver = 10000 }   # lifetime value at or above

# or, as a table of its own:
[scores.tiers]
platinum = 250000
gold = 50000
silver = 5000
```

A client's ``clv_tier`` is the highest tier whose threshold its lifetime value reaches, else
``bronze``. Every key is optional (the defaults are the ones above); the thresholds must be
descending — platinum above gold above silver — and not negative. Unknown keys are refused
with their line, like the rest of the file. ``crmbot scores``, the ``scores`` job and the
health card all tier by these.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.scores.tiers import DEFAULT_TIERS


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TierThresholds(_Section):
    platinum: float = Field(DEFAULT_TIERS[0], ge=0, allow_inf_nan=False)
    gold: float = Field(DEFAULT_TIERS[1], ge=0, allow_inf_nan=False)
    silver: float = Field(DEFAULT_TIERS[2], ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _descending(self) -> TierThresholds:
        if not self.platinum > self.gold > self.silver:
            raise ValueError(
                "tiers must be descending: platinum above gold above silver "
                f"(got {self.platinum:g}, {self.gold:g}, {self.silver:g})"
            )
        return self

    def thresholds(self) -> tuple[float, float, float]:
        """(platinum, gold, silver): the lower bounds ``domain.scores`` tiers by."""
        return (self.platinum, self.gold, self.silver)


class ScoresPolicy(_Section):
    tiers: TierThresholds = TierThresholds()
