"""``crmbot scores`` and ``crmbot run-job scores`` as the console script runs them."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bootstrap import build
from bot.cli import main
from bot.demo_writer import write_demo
from domain.scores.table import COLUMNS
from tests.conftest import FixedClock, make_settings

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"

    async def fill() -> None:
        container = build(make_settings(url), clock=FixedClock(NOW))
        try:
            await container.migrate()
            await write_demo(container, clients=50, seed=2, quiet=True)
        finally:
            await container.close()

    asyncio.run(fill())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_scores_prints_every_client_as_csv_or_json(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scores", "--as-of", "2026-11-22"]) == 0
    text = capsys.readouterr().out
    found = list(csv.reader(io.StringIO(text)))
    assert tuple(found[0]) == COLUMNS and len(found) == 51
    assert (
        main(["scores", "--as-of", "2026-11-22", "--horizon-days", "90", "--format", "json"]) == 0
    )
    objects = json.loads(capsys.readouterr().out)
    assert len(objects) == 50 and all(tuple(o) == COLUMNS for o in objects)
    assert {o["client_external_id"] for o in objects} == {row[0] for row in found[1:]}


def test_run_job_scores_keeps_today_s_scores(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run-job", "scores", "--now", "2026-11-22T09:00"]) == 0
    assert "clients_scored 50" in capsys.readouterr().out
    assert main(["run-job", "scores", "--now", "2026-11-22T09:30"]) == 0
    assert "fresh_already 1" in capsys.readouterr().out


def test_the_script_writes_only_the_table_to_stdout(demo_db: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CRMBOT_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "scores", "--as-of", "2026-06-30"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == ",".join(COLUMNS) and done.stderr == ""


TIERED = """\
[scores]
tiers = { platinum = 60000, gold = 20000, silver = 4000 }
"""


def _tier(clv: float, bounds: tuple[float, float, float]) -> str:
    names = ("platinum", "gold", "silver")
    return next((n for n, b in zip(names, bounds, strict=True) if clv >= b), "bronze")


def test_tiers_come_from_the_policy_file(
    demo_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``[scores] tiers`` of CRMBOT_CONFIG decide clv_tier in ``crmbot scores`` and in what
    the ``scores`` job keeps; without the file the built-in thresholds do."""
    assert main(["scores", "--as-of", "2026-11-22", "--format", "json"]) == 0
    default = json.loads(capsys.readouterr().out)
    assert all(r["clv_tier"] == _tier(r["clv"], (100_000, 50_000, 10_000)) for r in default)
    policy = tmp_path / "crmbot.toml"
    policy.write_text(TIERED, encoding="utf-8")
    monkeypatch.setenv("CRMBOT_CONFIG", str(policy))
    assert main(["scores", "--as-of", "2026-11-22", "--format", "json"]) == 0
    tiered = json.loads(capsys.readouterr().out)
    assert all(r["clv_tier"] == _tier(r["clv"], (60_000, 20_000, 4_000)) for r in tiered)
    assert [r["clv_tier"] for r in tiered] != [r["clv_tier"] for r in default]
    assert {r["clv_tier"] for r in tiered} >= {"gold", "silver"}
    assert main(["run-job", "scores", "--now", "2026-11-22T09:00"]) == 0
    capsys.readouterr()

    async def kept() -> dict[str, str]:
        container = build(make_settings(demo_db), clock=FixedClock(NOW))
        try:
            async with container.uow() as uow:
                ids = await uow.clients.ids_for([r["client_external_id"] for r in tiered])
                day = datetime(2026, 11, 22, tzinfo=UTC).date()
                found = {k: await uow.scores.latest(v, on_or_before=day) for k, v in ids.items()}
        finally:
            await container.close()
        return {k: r.clv_tier for k, r in found.items() if r is not None}

    assert asyncio.run(kept()) == {r["client_external_id"]: r["clv_tier"] for r in tiered}


def test_a_bad_tiers_table_stops_the_command_with_its_line(
    demo_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    policy = tmp_path / "crmbot.toml"
    policy.write_text("[scores]\ntiers = { platinum = 100, gold = 500 }\n", encoding="utf-8")
    monkeypatch.setenv("CRMBOT_CONFIG", str(policy))
    assert main(["scores", "--as-of", "2026-11-22"]) != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{policy}:2:" in captured.err and "descending" in captured.err
