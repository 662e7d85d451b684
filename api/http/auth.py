"""Who is asking: ``Authorization: Bearer TOKEN`` → a :class:`~api.service.users.User`, checked per role.

401 when no valid token is given (missing, unknown, revoked), 403 when the token is valid but
the role may not take this step. Public endpoints take no token at all.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.http.errors import ApiError
from api.service.users import User, authenticate

__all__ = ["require"]

_bearer = HTTPBearer(auto_error=False, description="令牌由 `sunshine users add` 生成 token from `sunshine users add`")


def _user(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "unauthorized", "需要登录令牌（Authorization: Bearer …）",
                       "a token is required (Authorization: Bearer …)")
    user = authenticate(request.app.state.ctx.db, credentials.credentials)
    if user is None:
        raise ApiError(401, "unauthorized", "令牌无效或已撤销", "the token is not valid or was revoked")
    return user


def require(*roles: str) -> Callable[..., User]:
    """A dependency: the signed-in user, who must hold one of ``roles``."""

    def dependency(user: User = Depends(_user)) -> User:
        if user.role not in roles:
            raise ApiError(403, "forbidden", f"角色 {user.role} 不能执行此操作（需要：{'、'.join(roles)}）",
                           f"role {user.role} may not do this (needs: {', '.join(roles)})")
        return user

    return dependency
