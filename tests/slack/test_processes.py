"""The commands a newcomer runs: ``crmbot serve`` and ``crmbot console``, as processes."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from bot.localslack import LocalSlack, sign_request, slash_command_body

SECRET = "process-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CRMBOT_"))}
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'crmbot.db'}", **extra)
    return env


async def _wait_healthy(
    http: aiohttp.ClientSession, base: str, proc: asyncio.subprocess.Process
) -> None:
    for _ in range(200):
        if proc.returncode is not None:
            raise AssertionError(f"serve exited early with {proc.returncode}")
        try:
            async with http.get(f"{base}/healthz") as r:
                if r.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("serve never became healthy")


async def test_serve_answers_health_signed_help_and_refuses_unsigned(tmp_path: Path) -> None:
    port = _free_port()
    async with LocalSlack() as slack:
        env = _env(
            tmp_path,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_BOT_TOKEN="xoxb-process",
            SLACK_API_URL=slack.api_url,
        )
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-scheduler",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession() as http:
                await _wait_healthy(http, base, proc)
                body = slash_command_body(
                    text="help",
                    user_id="U1",
                    channel_id="C1",
                    response_url=slack.response_url("r1"),
                )
                headers = {"Content-Type": "application/x-www-form-urlencoded"}
                signed = {**headers, **sign_request(SECRET, body)}
                async with http.post(f"{base}/slack/events", data=body, headers=signed) as r:
                    assert r.status == 200
                    assert "/crm log TYPE CLIENT" in await r.text()
                async with http.post(f"{base}/slack/events", data=body, headers=headers) as r:
                    assert r.status == 401
        finally:
            proc.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 0, output.decode()
        assert (tmp_path / "crmbot.db").exists(), "serve migrates the database at start"


async def test_console_reads_piped_input(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "console",
        cwd=tmp_path,
        env=_env(tmp_path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(b"/crm help\nfrobnicate\n"), 60)
    assert proc.returncode == 0, err.decode()
    text = out.decode()
    assert "/crm log TYPE CLIENT: NOTES [| WHEN]" in text
    assert "I don't know `frobnicate`" in text
    assert "Traceback" not in text + err.decode()


async def test_console_demo_as_the_readme_runs_it(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "console",
        "--demo",
        cwd=tmp_path,
        env=_env(tmp_path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(b"/crm help\n"), 90)
    assert proc.returncode == 0, err.decode()
    assert "/crm task [@USER] CLIENT: TITLE [| WHEN]" in out.decode()
    assert not (tmp_path / "crmbot.db").exists(), "--demo must not touch the configured database"
