"""Every error of the REST API in its one JSON shape, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from bot.api.pagination import encode_cursor
from bot.bootstrap import Container, build
from tests.api.conftest import ACME, ApiClient, add_users, assert_error, serve, write_policy
from tests.conftest import FixedClock, make_settings


async def test_401_without_or_with_a_wrong_token(api: ApiClient) -> None:
    assert_error(await api.call("GET", "/clients", token=None), 401, "unauthorized")
    assert_error(await api.call("GET", "/clients", token="wrong"), 401, "unauthorized")
    assert_error(await api.call("GET", "/nowhere", token=None), 401, "unauthorized")
    basic = await api.call("GET", "/clients", token=None, headers={"Authorization": "Basic eDp5"})
    assert_error(basic, 401, "unauthorized")
    assert basic.headers["WWW-Authenticate"].startswith("Bearer")


async def test_no_token_configured_refuses_everyone(database_url: str, clock: FixedClock) -> None:
    container = build(make_settings(database_url, CRMBOT_API_TOKEN=""), clock=clock)
    runner, base = await serve(container)
    try:
        async with aiohttp.ClientSession() as http:
            api = ApiClient(http, base)
            for token in (None, "", "None"):
                assert_error(await api.call("GET", "/clients", token=token), 401, "unauthorized")
            document = await api.call("GET", "/openapi.json", token=None)
            assert document.status == 200
    finally:
        await runner.cleanup()
        await container.close()


async def test_404_for_unknown_routes_and_405_for_wrong_methods(api: ApiClient) -> None:
    assert_error(await api.get("/nowhere"), 404, "not_found")
    assert_error(await api.get("/clients/C-1/nothing"), 404, "not_found")
    wrong = await api.call("DELETE", "/clients/C-1")
    assert_error(wrong, 405, "method_not_allowed")
    assert set(wrong.headers["Allow"].split(", ")) == {"GET", "PUT"}
    assert_error(await api.call("POST", "/orders/O-1", body={}), 405, "method_not_allowed")


async def test_409_for_unknown_references(api: ApiClient, api_container: Container) -> None:
    await add_users(api_container)
    paid = {"invoice_external_id": "I-404", "paid_at": "2026-10-20", "amount": "1"}
    assert_error(
        await api.put("/payments/P-1", paid), 409, "unknown_reference", "invoice_external_id"
    )
    invoice = {
        "client_external_id": "C-404",
        "issued_at": "2026-10-01",
        "due_at": "2026-10-02",
        "amount": 1,
    }
    assert_error(
        await api.put("/invoices/I-1", invoice), 409, "unknown_reference", "client_external_id"
    )
    owner = await api.put("/clients/C-1", {**ACME, "owner_slack_user_id": "U404"})
    assert_error(owner, 409, "unknown_reference", "owner_slack_user_id")
    assert (await api.put("/clients/C-1", ACME)).status == 201
    quote = {"client_external_id": "C-1", "requested_by_slack_user_id": "U404", "total": 1}
    assert_error(
        await api.put("/quotes/Q-1", quote), 409, "unknown_reference", "requested_by_slack_user_id"
    )
    missing_order = {**invoice, "client_external_id": "C-1", "order_external_id": "O-404"}
    assert_error(
        await api.put("/invoices/I-1", missing_order), 409, "unknown_reference", "order_external_id"
    )


async def test_413_for_a_body_over_256_kb(api: ApiClient) -> None:
    big = json.dumps({"name": "x" * (300 * 1024)})
    reply = await api.call(
        "PUT", "/clients/C-1", data=big, headers={"Content-Type": "application/json"}
    )
    assert_error(reply, 413, "payload_too_large")

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
        for _ in range(300):
            yield b" " * 1024

    streamed = await api.call(
        "PUT", "/clients/C-1", data=chunked(), headers={"Content-Type": "application/json"}
    )
    assert_error(streamed, 413, "payload_too_large")


async def test_415_unless_json(api: ApiClient) -> None:
    for headers in (
        {"Content-Type": "text/plain"},
        {},
        {"Content-Type": "application/json; charset=latin-1"},
    ):
        reply = await api.call("PUT", "/clients/C-1", data='{"name": "A"}', headers=headers)
        assert_error(reply, 415, "unsupported_media_type")


async def test_422_on_each_backend(api: ApiClient) -> None:
    assert_error(await api.put("/clients/C-1", {"name": ""}), 422, "invalid", "name")
    assert_error(await api.get("/clients", limit="0"), 422, "invalid", "limit")
    raw = '{"name": "A", "credit_limit": NaN}'
    reply = await api.call(
        "PUT", "/clients/C-1", data=raw, headers={"Content-Type": "application/json"}
    )
    assert_error(reply, 422, "invalid", "credit_limit")
    assert_error(
        await api.call(
            "PUT", "/clients/C-1", data="{", headers={"Content-Type": "application/json"}
        ),
        400,
        "invalid_json",
    )


async def test_bad_cursors_on_lists_of_a_client(api: ApiClient, api_container: Container) -> None:
    await add_users(api_container)
    assert (await api.put("/clients/C-1", ACME)).status == 201
    for kind in ("tasks", "activities"):
        for position in (["2026-01-01T00:00:00+00:00", 10**14], ["9999-12-31T23:59:59-05:00", 1]):
            forged = encode_cursor(kind, *position)
            reply = await api.get(f"/clients/C-1/{kind}", cursor=forged)
            assert_error(reply, 422, "invalid", "cursor")
    assert_error(await api.get("/clients/C-1/tasks", status="later"), 422, "invalid", "status")


async def test_429_with_retry_after(database_url: str, clock: FixedClock, tmp_path: Path) -> None:
    policy = write_policy(tmp_path / "p.toml", "http://127.0.0.1:9/x", per_minute=60, burst=3)
    container = build(make_settings(database_url, CRMBOT_CONFIG=str(policy)), clock=clock)
    runner, base = await serve(container)
    try:
        async with aiohttp.ClientSession() as http:
            api = ApiClient(http, base)
            statuses = [(await api.get("/clients")).status for _ in range(3)]
            limited = await api.get("/clients")
            assert statuses == [200, 200, 200]
            assert_error(limited, 429, "rate_limited")
            assert int(limited.headers["Retry-After"]) == 1
            assert (await api.call("GET", "/openapi.json", token=None)).status == 200
            assert (await api.call("GET", "/clients", token=None)).status == 401
    finally:
        await runner.cleanup()
        await container.close()
