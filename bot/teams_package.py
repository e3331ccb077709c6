"""The Teams app package a tenant admin uploads: ``teams/manifest.json`` and its two icons.

The manifest in the repository carries placeholders: the all-zero GUID for the app id and
the bot id, and ``crmbot.example.com`` for the bot's domain and pages. ``crmbot
teams-package --app-id ID`` fills them (the app id is the bot's Microsoft App ID,
``TEAMS_APP_ID``) and zips the three files at the root of a ``.zip``, as Teams wants them.

``problems`` checks what Microsoft documents as required of a manifest (v1.17): no JSON
schema of it ships with crmbot, so these are the schema's required fields and limits, by
hand; the package is refused while any is broken.
"""

from __future__ import annotations

import argparse
import json
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

from bot.settings import Settings
from domain.errors import CrmError

FOLDER = Path(__file__).resolve().parents[1] / "teams"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
PLACEHOLDER_DOMAIN = "crmbot.example.com"
ICON_SIZES = {"color": (192, 192), "outline": (32, 32)}
REQUIRED = ("manifestVersion", "version", "id", "developer", "name", "description", "icons",
            "accentColor")  # fmt: skip
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_PNG = b"\x89PNG\r\n\x1a\n"
_LIMITS = {("name", "short"): 30, ("name", "full"): 100, ("description", "short"): 80,
           ("description", "full"): 4000, ("developer", "name"): 32}  # fmt: skip


class PackageError(CrmError, ValueError):
    """The manifest or its icons would be refused by Teams; nothing was written."""


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header; ValueError for anything else."""
    if not data.startswith(_PNG) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _text_problems(manifest: dict[str, Any]) -> list[str]:
    found = [f"{key} is required" for key in REQUIRED if key not in manifest]
    for (part, key), limit in _LIMITS.items():
        value = (manifest.get(part) or {}).get(key)
        if not isinstance(value, str) or not value.strip():
            found.append(f"{part}.{key} is required")
        elif len(value) > limit:
            found.append(f"{part}.{key} is longer than {limit} characters")
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        if not str((manifest.get("developer") or {}).get(key, "")).lower().startswith("https://"):
            found.append(f"developer.{key} must be an https:// URL")
    if not _GUID.match(str(manifest.get("id", ""))):
        found.append("id must be a GUID")
    if not _COLOR.match(str(manifest.get("accentColor", ""))):
        found.append("accentColor must be an HTML color such as #2B5CD6")
    return found


def _bot_problems(manifest: dict[str, Any]) -> list[str]:
    found: list[str] = []
    bots = manifest.get("bots") or []
    if len(bots) != 1:
        found.append("bots must hold exactly one bot")
    for bot in bots:
        if not _GUID.match(str(bot.get("botId", ""))):
            found.append("bots[].botId must be a GUID")
        scopes = set(bot.get("scopes") or [])
        if not scopes or not scopes <= {"personal", "team", "groupChat"}:
            found.append("bots[].scopes must be personal, team and/or groupChat")
        for commands in bot.get("commandLists") or []:
            found += _command_problems(commands.get("commands") or [], "bots[].commandLists")
    for extension in manifest.get("composeExtensions") or []:
        if not _GUID.match(str(extension.get("botId", ""))):
            found.append("composeExtensions[].botId must be a GUID")
        found += _command_problems(extension.get("commands") or [], "composeExtensions")
    return found


def _command_problems(commands: list[dict[str, Any]], where: str) -> list[str]:
    found = [f"{where}: at most 10 commands"] if len(commands) > 10 else []
    for command in commands:
        title, description = command.get("title", ""), command.get("description", "")
        if not title or len(title) > 32:
            found.append(f"{where}: command title {title!r} must be 1 to 32 characters")
        if len(description) > 128:
            found.append(f"{where}: description of {title!r} is longer than 128 characters")
    return found


def _icon_problems(manifest: dict[str, Any], folder: Path) -> list[str]:
    found: list[str] = []
    for kind, size in ICON_SIZES.items():
        path = folder / str((manifest.get("icons") or {}).get(kind, ""))
        try:
            actual = png_size(path.read_bytes())
        except (OSError, ValueError) as exc:
            found.append(f"icons.{kind} ({path.name}): {exc}")
            continue
        if actual != size:
            found.append(f"icons.{kind} is {actual[0]}x{actual[1]}, not {size[0]}x{size[1]}")
    return found


def problems(manifest: dict[str, Any], folder: Path = FOLDER) -> list[str]:
    """What Teams would refuse in this manifest and its icons; empty when it is fine."""
    return _text_problems(manifest) + _bot_problems(manifest) + _icon_problems(manifest, folder)


def filled(manifest: dict[str, Any], *, app_id: str, domain: str | None) -> dict[str, Any]:
    """The manifest with the bot's app id (and domain) in place of the placeholders."""
    text = json.dumps(manifest).replace(PLACEHOLDER_ID, app_id.lower())
    if domain:
        text = text.replace(PLACEHOLDER_DOMAIN, domain)
    result: dict[str, Any] = json.loads(text)
    return result


def build(out: Path, *, app_id: str, domain: str | None = None, folder: Path = FOLDER) -> Path:
    """Write the package; PackageError, and nothing written, when Teams would refuse it."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if not _GUID.match(app_id) or app_id == PLACEHOLDER_ID:
        raise PackageError(f"--app-id {app_id!r} is not a GUID: give the bot's Microsoft App ID")
    manifest = filled(manifest, app_id=app_id, domain=domain)
    if found := problems(manifest, folder):
        raise PackageError("the Teams manifest would be refused: " + "; ".join(found))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for kind in ICON_SIZES:
            name = manifest["icons"][kind]
            package.write(folder / name, arcname=name)
    return out


async def command(settings: Settings, args: argparse.Namespace) -> int:
    """``crmbot teams-package [--app-id ID] [--domain HOST] [--out FILE]``."""
    app_id = args.app_id or settings.teams_app_id
    if not app_id:
        raise PackageError("give --app-id (the bot's Microsoft App ID) or set TEAMS_APP_ID")
    out = build(Path(args.out), app_id=app_id, domain=args.domain)
    print(f"wrote {out}: upload it in Teams admin center > Manage apps > Upload")
    return 0
