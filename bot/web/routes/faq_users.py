"""Staff accounts, for admins: list, add, change role, deactivate, reset the password."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from bot.web.deps import AdminReader, AdminWriter, Desk
from bot.web.errors import error_responses
from bot.web.faq_desk import failures_dict, user_dict
from bot.web.schemas import UserChangeIn, UserIn

# Every route is for admins only, signed in, and needs the database.
router = APIRouter(prefix="/api/faq", tags=["faq"], responses=error_responses(401, 403, 503))


@router.get("/users")
def list_users(_staff: AdminReader, desk: Desk) -> dict[str, Any]:
    """Every account with its recent failed sign-ins (admins only)."""
    failures = desk.auth.failed_sign_ins()
    return {
        "users": [
            {**user_dict(user), **failures_dict(failures.get(user.username))}
            for user in desk.auth.users()
        ]
    }


@router.post("/users", status_code=201)
def add_user(body: UserIn, _staff: AdminWriter, desk: Desk) -> dict[str, Any]:
    """Add an account (admins only)."""
    return user_dict(desk.auth.create_user(body.username, body.password, body.role))


@router.patch("/users/{username}")
def change_user(
    username: str, body: UserChangeIn, staff: AdminWriter, desk: Desk
) -> dict[str, Any]:
    """Change an account's role, deactivate/reactivate it or reset its password (admins)."""
    return user_dict(
        desk.auth.update_user(
            staff.user.username,
            username,
            role=body.role,
            active=body.active,
            password=body.password,
        )
    )
