"""A bounded schemathesis run against the gateway's ``/openapi.json`` (issue 19).

Every operation the gateway documents is called with generated requests, in process (ASGI,
no network), with a fixed number of examples per operation and a fixed seed, so that the run
is the same each time and takes well under a minute. schemathesis checks every answer:
no 5xx, a status code and content type the schema documents, a body that matches the
documented schema, and that malformed requests are refused. Rasa is a stand-in on loopback
(:mod:`tests.support.rasa_stand_in`): the chat and the lookup get an answer, so their 200s are
checked too; the FAQ desk runs on a new SQLite database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, seed, settings, strategies

from bot.web.app import create_app
from bot.web.settings import Settings
from tests.support.rasa_stand_in import rasa_stand_in

EXAMPLES = 12
"""Examples per operation: with the gateway's ~34 operations, about 400 requests."""


@pytest.fixture(scope="module")
def gateway_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    database = tmp_path_factory.mktemp("fuzz") / "faq.sqlite3"
    with rasa_stand_in() as rasa:
        # No rate limit: every generated request should reach the route it is meant for.
        settings = Settings(
            rasa_url=rasa, action_url="", database_url=f"sqlite:///{database}",
            rate_limit_per_minute=0,
        )  # fmt: skip
        yield create_app(settings)


@pytest.fixture(scope="module")
def api(gateway_app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", gateway_app)


schema = schemathesis.pytest.from_fixture("api")

# The dates an answer can be asked as of (bot.policy.model.as_of_date), which the documented
# schema can only say in words: every generated "date" falls in that range.
schemathesis.openapi.format(
    "date", strategies.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)).map(str)
)


@schema.parametrize()
@seed(19)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_gateway_keeps_its_openapi_contract(case: schemathesis.Case) -> None:
    case.call_and_validate()
