"""The type of aiohttp's test client over our web app, named once for every test that talks HTTP to it."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient

Cliente = TestClient[web.Request, web.Application]
