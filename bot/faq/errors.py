"""The FAQ desk's errors. Each message is Chinese and fit to show to staff as it is."""

from __future__ import annotations

from collections.abc import Mapping


class FaqError(Exception):
    """Base class: ``str(error)`` is the Chinese message."""


class ValidationError(FaqError):
    """The input is not acceptable (missing, too long, unknown clause …)."""


class RowsRefused(ValidationError):
    """Rows of a batch that could not be created, so none was (:meth:`FaqStore.create_all`).

    ``rows`` holds ``(index, reason)`` pairs, the index counted from 0 in the batch given.
    """

    def __init__(self, rows: list[tuple[int, str]]) -> None:
        """Refuse the batch for ``rows``' reasons."""
        super().__init__("；".join(f"第 {index + 1} 条：{reason}" for index, reason in rows))
        self.rows = rows


class PermissionDenied(FaqError):
    """The user's role (or authorship) does not allow the action."""


class NotFound(FaqError):
    """No such entry, version or group."""


class InvalidTransition(FaqError):
    """The action does not apply to the entry's current status."""


class Conflict(FaqError):
    """Someone else changed the entry since it was read: nothing was saved.

    Attributes:
        revision: The entry's current revision.
        rejected: The data that was not saved, as submitted, so the editor can recover it.
    """

    def __init__(self, revision: int, rejected: Mapping[str, object]) -> None:
        """Report the current ``revision`` and hand back the ``rejected`` data."""
        super().__init__(
            f"该条目已被他人修改（当前版本 {revision}），您的修改未保存，请刷新后重新编辑。"
        )
        self.revision = revision
        self.rejected = dict(rejected)


class LoginLocked(FaqError):
    """Too many failed sign-ins: refused until ``retry_after`` seconds have passed."""

    def __init__(self, retry_after: int) -> None:
        """Refuse sign-ins for ``retry_after`` more seconds."""
        # Under a minute the seconds (the first delays are 30 s); else whole minutes, rounded up.
        wait = f"{retry_after} 秒" if retry_after < 60 else f"{-(-retry_after // 60)} 分钟"
        super().__init__(f"登录失败次数过多，请 {wait}后再试。")
        self.retry_after = retry_after
