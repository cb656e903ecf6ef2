"""The gateway's routes, one module per resource (OpenAPI at ``/docs``).

The citizen and the hotline:

* ``GET  /healthz`` — 200 with each component's state when the knowledge base is loaded and
  Rasa and the action server answer; otherwise 503 naming what is down (:mod:`.health`).
* ``POST /api/chat`` — forward ``{sender, message}`` to Rasa's REST channel: 身份证号, phone
  and bank-card numbers and names are masked first (:func:`bot.privacy.masking.mask_pii`), so they
  never reach Rasa's tracker store, event broker or logs; the conversation's worker is chosen
  by consistent hashing and one sender's messages pass in order (:mod:`bot.web.workers`)
  (:mod:`.chat`).
* ``POST /api/feedback`` {turn, useful, reason, comment} — a citizen's 有用 / 没用 on the
  answer ``POST /api/chat`` named ``turn``, kept masked with the turn (503 when the database
  cannot take it) (:mod:`.feedback`).
* ``POST /api/lookup`` — the hotline's one-shot answer: the caller's words read by a worker's
  NLU (``/model/parse``: the chat's fact rules and intent classifier; the rules alone when no
  worker answers) plus ticked facts, answered as the chat would first answer — a topic's
  clauses, a decline, another city's referral, or the engine's assessment (:mod:`.lookup`).
* ``GET  /api/search?q=`` — BM25 full-text search over the policy with marked snippets;
  ``GET  /api/clauses``, ``GET /api/clauses/{id}`` — the knowledge base; ``GET  /api/facts`` —
  the facts a situation may contain, with labels and answer options (:mod:`.policy`).
* ``GET  /`` — the citizen's chat widget; ``GET /staff`` — the hotline lookup page;
  ``GET /admin`` and ``GET /faq`` — the FAQ desk's pages, ``GET /policy`` — the policy's full
  text (``GET /api/policy/text``) (:mod:`.pages`); ``GET /checklist?<fact>=<value>…`` — the
  documents to bring for a situation, printable, with a QR code of its link (:mod:`.checklist`);
  ``/static/embed.js`` embeds the widget in another site with one script tag.
* ``GET|POST /wechat/oa`` — the WeChat Official Account (公众号) channel's server URL: WeChat's
  signed handshake and pushes, answered with the web chat's turn within WeChat's 5 seconds
  (404 without ``HUKOU_WECHAT_TOKEN``) (:mod:`.wechat`).
* ``GET  /docs``, ``GET /redoc`` — this API in Swagger UI and Redoc, served by the gateway
  (no CDN) (:mod:`.docs`).

The FAQ desk (staff sign in to write, review and publish entries; citizens read the published
ones):

* ``POST /api/faq/login`` {username, password} — sets the ``hukou_session`` cookie (HttpOnly,
  SameSite=Strict) and returns the user and the session's CSRF token;
  ``POST /api/faq/logout``; ``GET /api/faq/me`` — the user and CSRF token again (a reloaded
  page keeps working) (:mod:`.faq_auth`).
* ``GET|POST /api/faq/entries``, ``GET|PUT /api/faq/entries/{id}`` (PUT with
  ``base_revision``: a stale one is a 409 that hands the unsaved fields back),
  ``POST /api/faq/entries/{id}/submit|approve|reject|publish|archive|restore``,
  ``GET /api/faq/entries/{id}/diff?a=&b=``, ``POST /api/faq/preview`` (the assistant's own
  answer for unsaved text) (:mod:`.faq_entries`).
* ``GET /api/faq/unanswered``, ``POST /api/faq/unanswered/{group_id}/draft``
  (:mod:`.faq_unanswered`).
* For reviewers and admins (the turn log: what citizens asked, masked):
  ``GET /api/faq/dashboard?start=&end=`` and ``GET /api/faq/dashboard/{table}.csv``
  (:mod:`.faq_dashboard`); ``GET /api/faq/review`` (待我审核: entries to approve or publish,
  and the 复核 list), ``GET /api/faq/review/turns/{id}`` (the whole conversation),
  ``POST /api/faq/review/turns/{id}/done|draft`` (:mod:`.faq_review`).
* ``POST /api/faq/try`` {entry_id, question, paraphrases, wordings} — 试问一下: which entry
  the FAQ matcher would answer each wording with, scores and thresholds, and the entry's
  answered / 没用 counts from the turn log (:mod:`.faq_try`).
* For admins, ``GET|POST /api/faq/users`` and ``PATCH /api/faq/users/{username}``
  {role, active, password} (:mod:`.faq_users`); ``POST /api/faq/import`` {filename, text} —
  a YAML list of entries imported all or none, each refused row named ``文件:行`` in the 422
  (:mod:`.faq_import`).
* ``GET /api/faq/published`` — public: the published entries grouped by their first tag, each
  with the verbatim quote of the clauses it cites (:mod:`.faq_public`).

Every ``/api/faq`` route but login and ``published`` needs a live session (401 otherwise);
every change also needs the ``X-CSRF-Token`` header equal to the session's token (403)
(:mod:`bot.web.deps`). The FAQ endpoints are plain ``def`` functions: FastAPI runs them in its
thread pool, so the database and the password hasher never block the event loop.

Every answer is JSON but the pages'; errors are ``{"detail": "<Chinese>"}``
(:mod:`bot.web.errors`). Every response carries the security headers of
:mod:`bot.web.headers`.
"""

from __future__ import annotations

from fastapi import APIRouter

from bot.web.routes import (
    chat,
    checklist,
    docs,
    faq_auth,
    faq_dashboard,
    faq_entries,
    faq_import,
    faq_public,
    faq_review,
    faq_try,
    faq_unanswered,
    faq_users,
    feedback,
    health,
    lookup,
    pages,
    policy,
    wechat,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    chat.router,
    feedback.router,
    lookup.router,
    policy.router,
    pages.router,
    checklist.router,
    docs.router,
    faq_auth.router,
    faq_entries.router,
    faq_unanswered.router,
    faq_dashboard.router,
    faq_review.router,
    faq_try.router,
    faq_users.router,
    faq_import.router,
    faq_public.router,
    wechat.router,
)
"""Every router, in the order :func:`bot.web.app.create_app` includes them."""
