"""``POST /api/lookup``: the hotline's one-shot answer for a caller's situation."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.dialogue.reply import Reading, first_answer
from bot.nlu.household import ROLE_LABELS, Applicant, for_role, split
from bot.policy import Situation
from bot.policy.clock import today as liling_today
from bot.policy.facts import FactValue
from bot.policy.model import Knowledge
from bot.privacy.masking import mask_pii
from bot.web.deps import Client, Config, KnowledgeBase, Workers
from bot.web.errors import AssistantBusy, AssistantUnavailable
from bot.web.schemas import ApplicantIn, LookupIn, within_limit
from bot.web.upstream import parse

if TYPE_CHECKING:
    from bot.nlu.extractor import FactExtractor

router = APIRouter(prefix="/api", tags=["lookup"])
log = logging.getLogger(__name__)


_RULES_LOADING = threading.Lock()


def _rules() -> FactExtractor:
    """The fact rules, loaded on first use, once (several lookups may ask at the same time)."""
    with _RULES_LOADING:
        return _load_rules()


def preload_rules() -> threading.Thread:
    """Start loading the fact rules in a background thread (``HUKOU_PRELOAD_RULES``).

    With a single Rasa worker (``hukou serve``'s embedded profile) every crash of it sends the
    lookups to the rules; loaded beforehand, the first such lookup does not wait for spaCy
    and jieba (over 10 s while the worker reloads its model on this machine,
    ``reports/fault-report.md``). With several workers another one answers instead.
    """
    thread = threading.Thread(target=_rules, name="load-fact-rules", daemon=True)
    thread.start()
    return thread


@lru_cache(maxsize=1)
def _load_rules() -> FactExtractor:
    # Loaded only when no worker answers: spaCy and jieba cost the gateway ≈ 100 MB, and
    # the workers already hold them.
    from bot.nlu.extractor import FactExtractor

    return FactExtractor()


@router.post("/lookup", response_model=dict[str, Any])
async def lookup(
    body: LookupIn, kb: KnowledgeBase, settings: Config, client: Client, workers: Workers
) -> JSONResponse:
    """The caller's situation assessed, with the facts understood from their words.

    The words are read by a worker's NLU, as the chat reads them (fact rules and the intent
    classifier): a topic question gets the topic's clauses, an out-of-scope one a decline,
    a situation its assessment. When no worker answers, the fact rules alone read them
    (``understanding.source`` says which). The facts staff ticked override the words;
    unknown facts or values are a 422. ``date`` (``YYYY-MM-DD``, today when left out) is the
    day the answer is made as of: the 2017 document's validity and the later measures then in
    effect ("之后的变化").
    """
    text = within_limit(body.text, "描述", settings.max_message_chars).strip()
    ticked = Situation.from_mapping(body.facts).to_dict()
    reading = Reading()
    if text:
        masked = mask_pii(text)
        try:
            parsed = await parse(
                client, workers, masked, settings.worker_queue_seconds, settings.rasa_token
            )
            reading = Reading.from_parse(parsed)
        except (AssistantUnavailable, AssistantBusy) as exc:
            log.warning("lookup read by the rules alone: %s", type(exc).__name__)
            # Loading them takes seconds (more while a restarting worker loads its model):
            # in a thread, so the gateway's pages, search and FAQ are served meanwhile. In
            # the event loop it stopped every request for 20 s (reports/fault-report.md).
            rules = await asyncio.to_thread(_rules)
            chosen, asked, applicant = rules.understand(masked)
            facts = {name: mention.value for name, mention in chosen.items()}
            reading = Reading.from_rules(facts, rules.other_city(masked), asked, applicant)
    day = body.date or liling_today()
    answer = first_answer(reading, ticked, kb, day)
    answer["applicants"] = applicant_answers(body.applicants, text, reading, kb, day)
    # A plain JSONResponse, as the chat's: FastAPI's recursive encoder walked the answer item
    # by item (≈ 18 KB for one person, 85 KB for a caller and three relatives) and took 13 of
    # a three-person lookup's 16 ms of gateway CPU; the answer is plain JSON types already.
    return JSONResponse(answer)


def applicant_answers(
    wanted: list[ApplicantIn] | None,
    text: str,
    reading: Reading,
    kb: Knowledge,
    day: dt.date,
) -> list[dict[str, Any]]:
    """One answer per person the call is about (:mod:`bot.nlu.household`).

    With no ``wanted`` list, the applicants the words name (at least two relatives), each with
    their own facts and no hand-set ones; with one, those applicants in that order: the words'
    facts for their role, overridden by the facts set by hand for them. Each answer costs one
    engine run (pure Python, no further parse), so a call with several people stays cheap.
    """
    proposed: dict[str, Applicant] = {a.role: a for a in split(text, reading.facts)} if text else {}
    people: list[tuple[str, str, Mapping[str, FactValue], Mapping[str, FactValue]]]
    if wanted is None:
        people = [(a.role, a.label, a.facts, {}) for a in proposed.values()]
    else:
        people = []
        for one in wanted:
            found = proposed.get(one.role)
            facts = found.facts if found else for_role(one.role, reading.facts)
            label = one.label or (found.label if found else ROLE_LABELS[one.role])
            hand = Situation.from_mapping(one.facts).to_dict()
            people.append((one.role, label, facts, hand))
    return [
        {
            "role": role,
            "label": label,
            "answer": first_answer(replace(reading, facts=dict(facts)), hand, kb, day),
        }
        for role, label, facts, hand in people
    ]
