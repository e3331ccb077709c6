"""The Bot Connector stand-in itself: what it answers and records."""

from __future__ import annotations

import aiohttp

from bot.localteams import LocalTeams


async def test_records_sends_replies_updates_and_deletes() -> None:
    async with LocalTeams() as connector, aiohttp.ClientSession() as http:
        base = connector.service_url + "v3/conversations"
        async with http.post(f"{base}/a:1/activities", json={"text": "hi"}) as r:
            assert r.status == 201 and (await r.json())["id"]
        async with http.post(f"{base}/a:1/activities/m1", json={"text": "re"}) as r:
            reply_id = (await r.json())["id"]
        async with http.put(f"{base}/a:1/activities/{reply_id}", json={"text": "ed"}) as r:
            assert (await r.json()) == {"id": reply_id}
        async with http.delete(f"{base}/a:1/activities/{reply_id}") as r:
            assert r.status == 200
        async with http.post(
            base, json={"members": [{"id": "29:u"}], "activity": {"text": "hi"}}
        ) as r:
            created = await r.json()
            assert created["id"] == "a:conv-29:u" and created["activityId"]
        connector.fail_next(429)
        async with http.post(f"{base}/a:1/activities", json={"text": "x"}) as r:
            assert r.status == 429
        async with http.get(f"{base}/a:1/members/29:u") as r:
            assert r.status == 404
        connector.members["29:u"] = {"email": "u@x.io"}
        async with http.get(f"{base}/a:1/members/29:u") as r:
            assert (await r.json())["email"] == "u@x.io"
        assert [(m, p) for m, p, _ in connector.activities] == [
            ("POST", "/v3/conversations/a:1/activities"),
            ("POST", "/v3/conversations/a:1/activities/m1"),
            ("PUT", f"/v3/conversations/a:1/activities/{reply_id}"),
            ("DELETE", f"/v3/conversations/a:1/activities/{reply_id}"),
            ("POST", "/v3/conversations"),
            ("POST", "/v3/conversations/a:1/activities"),
        ]
        assert connector.activities[0].json == {"text": "hi"}
        assert len(await connector.wait_for(6)) == 6
