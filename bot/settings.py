"""Settings: CONTRACT §1, read from the environment or ``.env``; built once, in bootstrap."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = Field("sqlite+aiosqlite:///crmbot.db", alias="DATABASE_URL")
    slack_bot_token: str | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_client_id: str | None = Field(None, alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(None, alias="SLACK_CLIENT_SECRET")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")
    # not in CONTRACT §1 (an addition, README): when set, requests for another app are refused
    slack_app_id: str | None = Field(None, alias="SLACK_APP_ID")
    api_token: str | None = Field(None, alias="CRMBOT_API_TOKEN")
    allowed_teams: str | None = Field(None, alias="CRMBOT_ALLOWED_TEAMS")
    teams_app_id: str | None = Field(None, alias="TEAMS_APP_ID")
    teams_app_password: str | None = Field(None, alias="TEAMS_APP_PASSWORD")
    teams_tenant_id: str | None = Field(None, alias="TEAMS_TENANT_ID")
    default_tz: str = Field("UTC", alias="CRMBOT_DEFAULT_TZ")
    config_path: Path | None = Field(None, alias="CRMBOT_CONFIG")
    port: int = Field(3000, alias="PORT")

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("default_tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"CRMBOT_DEFAULT_TZ={value!r} is not an IANA time zone") from exc
        return value

    @property
    def allowed_team_ids(self) -> frozenset[str]:
        return frozenset(t.strip() for t in (self.allowed_teams or "").split(",") if t.strip())

    @property
    def policy_file(self) -> Path | None:
        """The TOML policy file: ``CRMBOT_CONFIG``, else ``crmbot.toml`` when present."""
        if self.config_path is not None:
            return self.config_path
        default = Path("crmbot.toml")
        return default if default.exists() else None
