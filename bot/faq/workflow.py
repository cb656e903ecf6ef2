"""The FAQ desk's vocabulary and workflow rules, in one table.

Approving and publishing are two steps, so a reviewer can approve a batch and publish it at a
chosen time (or another reviewer can publish it)::

    draft ──submit──▶ in_review ──approve──▶ approved ──publish──▶ published
      ▲                  │ reject (with comment)     │ reject
      └──────────────────┴───────────────────────────┘
    update: any status → draft        archive: any status → archived (no longer served)
    restore(n): a version that was once published becomes the published one again

The four-eyes rule: every publication has two people behind it, the author of the content and
someone else who approves and publishes it. Restoring is a publication too, so its restorer may
not be the author of the *restored* version (``Transition.judged_on``): that content was
approved by someone other than its author when it was first published, and a second person
now decides it goes back online. Without this an author could republish, alone, a text of
theirs that a reviewer had archived or replaced (issue 19, item 1). A reviewer's own later
draft does not stop them restoring someone else's published text: what goes online is that
text, not theirs. Restoring stays one step (a withdrawn answer may have to return quickly).

:data:`TRANSITIONS` is the one statement of who may take which step from where:
:class:`~bot.faq.store.FaqStore` enforces it and the web desk
(:func:`bot.web.faq_desk.allowed_actions`) offers only the steps it allows. Saving edits
(``update``) is not a step here: anyone may edit an entry in any status.

Plain Python without SQLAlchemy, so the command line can name the roles without loading the
database layer (importing :mod:`bot.faq.models` costs over a second on the server).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

ROLES = ("editor", "reviewer", "admin")
"""Editors write entries; reviewers (and admins) also approve, publish, archive and restore."""

ROLE_NAMES = {"editor": "编辑", "reviewer": "审核员", "admin": "管理员"}
"""Each role as staff read it."""

REVIEWERS = ("reviewer", "admin")
"""The roles that may review, publish, archive and restore."""

STATUSES = ("draft", "in_review", "approved", "published", "archived")
"""An entry's workflow state: the state of its latest version."""

STATUS_NAMES = {
    "draft": "草稿",
    "in_review": "待审核",
    "approved": "已审核待发布",
    "published": "已发布",
    "archived": "已归档",
}
"""Each status as staff read it."""


@dataclass(frozen=True)
class Transition:
    """One workflow step: from where, to where, and who may take it.

    Attributes:
        sources: The statuses the step may start from.
        target: The status the entry has after it.
        roles: The roles that may take it.
        role_verb: What a refused role cannot do, in the message (``编辑不能审核条目``).
        status_verb: What the entry's status does not allow (``…“草稿”，不能审核通过``).
        not_own: The refusal when the user wrote the content; ``None``: authors may.
        judged_on: Whose authorship ``not_own`` looks at: ``"latest"``, the entry's latest
            content (approve, publish), or ``"restored"``, the version being restored (the
            store and the page then decide version by version).
    """

    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    role_verb: str
    status_verb: str
    not_own: str | None = None
    judged_on: str = "latest"

    def allows(self, role: str, status: str, *, own: bool) -> bool:
        """Whether a user with ``role`` may take this step on an entry in ``status``.

        Args:
            role: The user's role.
            status: The entry's current status.
            own: The user wrote the content the step is judged on (:attr:`judged_on`).
        """
        return role in self.roles and status in self.sources and not (own and self.not_own)


TRANSITIONS: Mapping[str, Transition] = MappingProxyType(
    {
        "submit": Transition(("draft",), "in_review", ROLES, "提交审核", "提交审核"),
        "approve": Transition(
            ("in_review",),
            "approved",
            REVIEWERS,
            "审核条目",
            "审核通过",
            not_own="不能审核自己撰写的条目",
        ),
        "reject": Transition(("in_review", "approved"), "draft", REVIEWERS, "退回条目", "退回"),
        "publish": Transition(
            ("approved",),
            "published",
            REVIEWERS,
            "发布条目",
            "发布",
            not_own="不能发布自己撰写的条目",
        ),
        "archive": Transition(
            ("draft", "in_review", "approved", "published"),
            "archived",
            REVIEWERS,
            "归档条目",
            "归档",
        ),
        # Restoring starts from any status; the version restored must have been published,
        # and restoring is publishing: its restorer must not have written that version.
        "restore": Transition(
            STATUSES,
            "published",
            REVIEWERS,
            "恢复版本",
            "恢复版本",
            not_own="不能恢复自己撰写的版本",
            judged_on="restored",
        ),
    }
)
"""The workflow steps, in the order the desk offers them."""
