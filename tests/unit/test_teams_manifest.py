"""teams/manifest.json and its icons: what Microsoft documents as required (manifest v1.17).

No JSON schema of the Teams manifest ships with crmbot (the published one is online only),
so ``bot.teams_package.problems`` checks the schema's required fields and limits by hand;
these tests hold the real manifest to it and show that it catches what Teams refuses.
"""

from __future__ import annotations

import copy
import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.teams_package import FOLDER, PLACEHOLDER_ID, PackageError, build, png_size, problems

APP_ID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"


@pytest.fixture
def manifest() -> dict[str, Any]:
    data = json.loads((FOLDER / "manifest.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _pixels(path: Path) -> list[tuple[int, ...]]:
    """RGBA pixels of an 8-bit RGBA PNG whose rows are unfiltered (as ours are)."""
    data = path.read_bytes()
    width, height = png_size(data)
    assert data[24:26] == bytes([8, 6]), "8-bit RGBA"
    idat, at = b"", 8
    while at < len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        idat += data[at + 8 : at + 8 + size] if kind == b"IDAT" else b""
        at += 12 + size
    raw, stride = zlib.decompress(idat), 1 + 4 * width
    rows = [raw[r * stride : (r + 1) * stride] for r in range(height)]
    assert all(row[0] == 0 for row in rows)
    return [tuple(row[1 + 4 * x : 5 + 4 * x]) for row in rows for x in range(width)]


def test_the_manifest_has_every_required_field_within_its_limits(
    manifest: dict[str, Any],
) -> None:
    assert problems(manifest) == []
    assert manifest["manifestVersion"] == "1.17" and manifest["id"] == PLACEHOLDER_ID
    assert manifest["$schema"].endswith("/v1.17/MicrosoftTeams.schema.json")


def test_the_bot_answers_the_chat_commands_in_every_scope(manifest: dict[str, Any]) -> None:
    [bot] = manifest["bots"]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    [commands] = bot["commandLists"]
    titles = [c["title"] for c in commands["commands"]]
    assert titles == ["help", "log", "task", "tasks", "health", "find", "quotes"]
    [extension] = manifest["composeExtensions"]
    [action] = extension["commands"]
    assert (action["id"], action["type"], action["context"], action["fetchTask"]) == (
        "logToCrm",
        "action",
        ["message"],
        True,
    )
    assert action["title"] == "Log to CRM"  # the Slack shortcut's name (CONTRACT §4)


def test_icons_are_the_sizes_teams_wants_and_the_outline_is_white_on_clear() -> None:
    assert png_size((FOLDER / "color.png").read_bytes()) == (192, 192)
    outline = _pixels(FOLDER / "outline.png")
    assert len(outline) == 32 * 32
    assert set(outline) == {(255, 255, 255, 255), (0, 0, 0, 0)}


def test_what_teams_refuses_is_named(manifest: dict[str, Any], tmp_path: Path) -> None:
    bad = copy.deepcopy(manifest)
    bad["name"]["short"] = "x" * 31
    bad["id"] = "not-a-guid"
    del bad["accentColor"]
    bad["developer"]["privacyUrl"] = "http://insecure.example.com"
    bad["bots"][0]["commandLists"][0]["commands"] *= 2  # 14 commands
    bad["composeExtensions"][0]["commands"][0]["title"] = "t" * 33
    bad["icons"]["color"] = "outline.png"
    found = problems(bad)
    for expected in (
        "name.short is longer than 30 characters",
        "id must be a GUID",
        "accentColor is required",
        "developer.privacyUrl must be an https:// URL",
        "bots[].commandLists: at most 10 commands",
        "composeExtensions: command title",
        "icons.color is 32x32, not 192x192",
    ):
        assert any(expected in p for p in found), (expected, found)
    (tmp_path / "color.png").write_text("not an image")
    assert any("not a PNG" in p for p in problems(manifest, tmp_path))


def test_the_package_fills_the_ids_and_zips_the_three_files(tmp_path: Path) -> None:
    out = build(tmp_path / "crmbot.zip", app_id=APP_ID.upper(), domain="crm.acme.io")
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        filled = json.loads(package.read("manifest.json"))
    assert filled["id"] == filled["bots"][0]["botId"] == APP_ID
    assert filled["composeExtensions"][0]["botId"] == APP_ID
    assert filled["validDomains"] == ["crm.acme.io"]
    assert problems(filled) == []
    with pytest.raises(PackageError, match="not a GUID"):
        build(tmp_path / "no.zip", app_id="my-bot")
    assert not (tmp_path / "no.zip").exists()


def test_the_cli_builds_the_package_or_says_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEAMS_APP_ID", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert main(["teams-package"]) == 1
    assert "--app-id" in capsys.readouterr().err
    assert main(["teams-package", "--app-id", APP_ID, "--out", str(tmp_path / "p.zip")]) == 0
    assert zipfile.is_zipfile(tmp_path / "p.zip")
