"""The policy itself: full-text search, the clauses, and the facts a situation may contain."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from bot.policy.clock import today as liling_today
from bot.policy.facts import FACTS
from bot.policy.model import as_of_date
from bot.policy.present import clause_detail, policies_block, policy_block, question
from bot.web.deps import KnowledgeBase, Search
from bot.web.errors import InvalidText, UnknownClause, error_responses

router = APIRouter(prefix="/api", tags=["policy"])


@router.get("/search")
async def search(
    index: Search, q: str = Query("", max_length=200), limit: int = Query(10, ge=1, le=50)
) -> dict[str, Any]:
    """BM25 full-text search over the policy, with marked snippets.

    ``matched`` lists the strings of each clause the query matched (synonyms included), so a
    page can mark them in the full clause (``GET /api/clauses/{id}``).
    """
    hits = index.search(q, limit) if q.strip() else []
    return {
        "query": q,
        "hits": [
            {
                "id": hit.clause.id,
                "label": hit.clause.label,
                "title": hit.clause.title,
                "score": hit.score,
                "snippet": hit.snippet,
                "matched": list(hit.matched),
            }
            for hit in hits
        ],
    }


@router.get("/facts")
async def facts() -> dict[str, Any]:
    """The facts a situation may contain, with labels and answer options."""
    return {"facts": [question(name) for name in FACTS]}


@router.get("/clauses")
async def clauses(kb: KnowledgeBase) -> dict[str, Any]:
    """Every clause of the knowledge base."""
    return {"clauses": [clause_detail(c) for c in kb.clauses.values()]}


@router.get("/clauses/{clause_id}", responses=error_responses(404))
async def clause(clause_id: str, kb: KnowledgeBase) -> dict[str, Any]:
    """One clause; 404 when there is none with that id."""
    if clause_id not in kb.clauses:
        raise UnknownClause(clause_id)
    return clause_detail(kb.clause(clause_id))


@router.get("/policies", responses=error_responses(422))
async def policies(kb: KnowledgeBase, date: str = Query("", max_length=10)) -> dict[str, Any]:
    """The policy documents with their status and dates as of ``date`` (today when empty).

    With what the FAQ desk should check: a document in use past its expiry, an old check.
    """
    try:
        day = as_of_date(date) or liling_today()
    except ValueError as exc:
        raise InvalidText(f"请求格式不正确：参数 date {exc}。") from None
    return policies_block(kb, day)


@router.get("/policy/text")
async def policy_text(kb: KnowledgeBase) -> dict[str, Any]:
    """The policy's full text exactly as stored (``policy_text/``), with its published metadata.

    What the read-only ``/policy`` page shows, linked from ``/faq`` as the 原文.
    """
    meta = kb.meta
    return {
        "doc_no": meta.doc_no,
        "title": meta.title,
        "issuer": meta.issuer,
        "signed": meta.signed.isoformat(),
        "published": meta.published.isoformat(),
        "effective": meta.effective.isoformat(),
        "expires": meta.expires.isoformat(),
        "index_no": meta.index_no,
        "source_office": meta.source_office,
        "status_label": policy_block(meta, liling_today())["status_label"],
        "text": kb.text,
    }
