"""The GET routes: search and lists (paged), health, and 404 for what does not exist."""

from __future__ import annotations

from datetime import timedelta

from bot.bootstrap import Container
from domain.model import Activity, ActivityType, Surface, Task, TaskStatus
from tests.api.conftest import ACME, INVOICE, ORDER, ApiClient, add_users
from tests.conftest import FixedClock


async def with_client(api: ApiClient, container: Container) -> None:
    await add_users(container)
    assert (await api.put("/clients/C-1", ACME)).status == 201


async def test_search_and_list_clients(api: ApiClient, api_container: Container) -> None:
    await add_users(api_container)
    for i, name in enumerate(["Acme Corp", "Acme Labs", "Globex", "Initech"]):
        assert (await api.put(f"/clients/C-{i}", {"name": name})).status == 201
    found = await api.get("/clients", q="acme")
    assert [c["name"] for c in found.body["items"]][:2] == ["Acme Corp", "Acme Labs"]
    first = await api.get("/clients", limit="3")
    assert [c["external_id"] for c in first.body["items"]] == ["C-0", "C-1", "C-2"]
    rest = await api.get("/clients", limit="3", cursor=first.body["next_cursor"])
    assert [c["external_id"] for c in rest.body["items"]] == ["C-3"]
    assert rest.body["next_cursor"] is None
    paged = await api.get("/clients", q="acme", limit="1")
    more = await api.get("/clients", q="acme", limit="1", cursor=paged.body["next_cursor"])
    assert [c["name"] for c in more.body["items"]] == ["Acme Labs"]


async def seed_work(container: Container, clock: FixedClock, n: int) -> None:
    async with container.uow() as uow:
        client_id = (await uow.clients.ids_for(["C-1"]))["C-1"]
        for i in range(n):
            at = clock.now - timedelta(days=i % 3)  # ties in time: the id breaks them
            await uow.activities.add(
                Activity(client_id, ActivityType.CALL, f"call {i}", at, "U2", Surface.SLASH)
            )
            await uow.tasks.add(
                Task(f"task {i}", "U2", clock.now + timedelta(days=i % 3), client_id=client_id)
            )
        await uow.commit()


async def test_activities_and_tasks_are_paged(
    api: ApiClient, api_container: Container, clock: FixedClock
) -> None:
    await with_client(api, api_container)
    await seed_work(api_container, clock, 7)
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = await api.get(
            "/clients/C-1/activities", limit="3", **({"cursor": cursor} if cursor else {})
        )
        assert page.status == 200, page.body
        seen += [a["notes"] for a in page.body["items"]]
        cursor = page.body["next_cursor"]
        if cursor is None:
            break
    # newest first; activities logged at the same time come newest id first
    assert seen == ["call 6", "call 3", "call 0", "call 4", "call 1", "call 5", "call 2"]
    tasks = await api.get("/clients/C-1/tasks", limit="200")
    assert len(tasks.body["items"]) == 7
    dues = [t["due_at"] for t in tasks.body["items"]]
    assert dues == sorted(dues)
    assert tasks.body["items"][0]["client_external_id"] == "C-1"
    async with api_container.uow() as uow:
        await uow.tasks.complete(tasks.body["items"][0]["id"], now=clock.now)
        await uow.commit()
    done = await api.get("/clients/C-1/tasks", status=str(TaskStatus.DONE))
    assert [t["status"] for t in done.body["items"]] == ["done"]


async def test_health(api: ApiClient, api_container: Container, clock: FixedClock) -> None:
    """Before the scores job has run: the client's §6 scores computed alone, flagged."""
    await with_client(api, api_container)
    assert (await api.put("/orders/O-1", ORDER)).status == 201
    assert (await api.put("/invoices/I-1", INVOICE)).status == 201
    health = await api.get("/clients/C-1/health")
    assert health.status == 200, health.body
    body = health.body
    assert body["client_external_id"] == "C-1"
    assert body["interim"] is False and body["provisional"] is True
    assert body["scores_as_of"] == clock.now.date().isoformat() and body["horizon_days"] == 365
    for key in ("health_score", "risk_score", "churn_risk", "payment_risk", "profitability_risk"):
        assert 0 <= body[key] <= 100, key
    assert body["risk_level"] in {"low", "medium", "high"}
    assert body["payment_risk"] > 0  # 1 200.50 is 25 days past due
    assert body["orders"] == 1 and body["clv"] == "1200.50" and body["clv_tier"] == "bronze"
    assert body["clv_trend"] in {"rising", "falling", "flat"}
    assert 0 <= body["p_active"] <= 1 and body["expected_orders"] >= 0
    assert body["rfm_segment"] and body["order_gap_range_days"] is None  # one order: no rhythm
    assert body["receivables"]["overdue_0_30"] == "1200.50"
    details = body["factor_details"]
    assert [d["text"] for d in details] == body["factors"]
    overdue = next(d for d in details if d["code"] == "overdue")
    assert overdue["kind"] == "payment" and int(overdue["values"]["days"]) == 25
    assert overdue["points"] > 0 and "25 days past due" in overdue["text"]


async def test_health_is_the_kept_scores(
    api: ApiClient, api_container: Container, clock: FixedClock
) -> None:
    """Once the scores job has run, the route answers with exactly what it kept."""
    from domain.services.scoring import run_scores_job

    await with_client(api, api_container)
    for i, day in enumerate(("2026-08-01", "2026-08-15", "2026-08-29", "2026-09-12")):
        order = {**ORDER, "ordered_at": day, "amount": 1000 + i}
        assert (await api.put(f"/orders/O-{i}", order)).status == 201
    await run_scores_job(api_container.uow, now=clock.now)
    async with api_container.uow() as uow:
        client_id = (await uow.clients.ids_for(["C-1"]))["C-1"]
        kept = await uow.scores.latest(client_id, on_or_before=clock.now.date())
    assert kept is not None
    body = (await api.get("/clients/C-1/health")).body
    assert body["provisional"] is False and body["scores_as_of"] == kept.as_of.isoformat()
    for key in ("health_score", "risk_score", "risk_level", "churn_risk", "rfm_segment"):
        assert body[key] == getattr(kept, key), key
    assert body["p_active"] == kept.p_active and body["clv"] == f"{kept.clv:.2f}"
    assert body["factors"] == [f.text(show_money=True) for f in kept.factors]
    assert body["typical_order_gap_days"] == kept.typical_gap_days == 14.0
    assert body["order_gap_range_days"] == [kept.gap_low_days, kept.gap_high_days]
    assert body["reorder_overdue"] is True  # 74 days silent against a 14-day rhythm
    assert any(d["code"] == "overdue_rhythm" for d in body["factor_details"])


async def test_unknown_ids_are_404(api: ApiClient) -> None:
    for path in (
        "/clients/NOPE",
        "/clients/NOPE/health",
        "/clients/NOPE/activities",
        "/clients/NOPE/tasks",
        "/quotes/NOPE",
    ):
        reply = await api.get(path)
        assert (reply.status, reply.error["code"]) == (404, "not_found"), path
