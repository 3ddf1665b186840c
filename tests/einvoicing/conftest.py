"""The fake ChorusPro server (tests/support/fake_chorus.py) and the client configured for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import fake_chorus
from tests.support.fake_chorus import FakeChorus


@pytest.fixture
def chorus(settings: Any, tmp_path: Any) -> Iterator[FakeChorus]:
    fake = FakeChorus().start()
    settings.CHORUS_CLIENT_ID = fake_chorus.CLIENT_ID
    settings.CHORUS_CLIENT_SECRET = fake_chorus.CLIENT_SECRET
    settings.CHORUS_TECHNICAL_LOGIN = fake_chorus.LOGIN
    settings.CHORUS_TECHNICAL_PASSWORD = fake_chorus.PASSWORD
    settings.CHORUS_TOKEN_URL = fake.token_url
    settings.CHORUS_API_URL = fake.api_url
    settings.CHORUS_TIMEOUT_SECONDS = 5
    settings.MEDIA_ROOT = tmp_path
    yield fake
    fake.stop()


@pytest.fixture
def no_chorus(settings: Any, tmp_path: Any) -> Any:
    settings.CHORUS_CLIENT_ID = ""
    settings.CHORUS_CLIENT_SECRET = ""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
