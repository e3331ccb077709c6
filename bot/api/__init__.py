"""The REST API for ERP integration (CONTRACT §3): ``/api/v1``, built by ``build_api``."""

from bot.api.app import build_api

__all__ = ["build_api"]
