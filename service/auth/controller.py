"""Who am I, my API tokens, and (administrators) user accounts."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT
from sqlmodel import select

from service.auth import service as auth
from service.auth.guards import AuthenticatedRequest, admin_only
from service.auth.models import ApiToken, User
from service.auth.schemas import (
    NewToken,
    TokenCreate,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from service.dependencies import Db


class AccountController(Controller):
    path = "/"
    tags = ["auth"]

    @get("/me", sync_to_thread=True)
    def me(self, db: Db, request: AuthenticatedRequest) -> UserRead:
        return UserRead.model_validate(db.get(User, request.user.user_id))

    @get("/me/tokens", sync_to_thread=True)
    def list_tokens(self, db: Db, request: AuthenticatedRequest) -> list[TokenRead]:
        tokens = db.exec(select(ApiToken).where(ApiToken.user_id == request.user.user_id))
        return [TokenRead.model_validate(t) for t in tokens]

    @post("/me/tokens", sync_to_thread=True, summary="Make another token (shown once)")
    def create_token(
        self, db: Db, request: AuthenticatedRequest, data: JSONBody[TokenCreate]
    ) -> NewToken:
        user = db.get(User, request.user.user_id)
        assert user is not None  # noqa: S101 - the middleware found it a moment ago
        api_token, token = auth.issue_token(db, user, data.label)
        return NewToken(id=api_token.id or 0, token=token, label=data.label)

    @post("/me/tokens/{token_id:int}/revoke", sync_to_thread=True, status_code=HTTP_204_NO_CONTENT)
    def revoke_token(self, db: Db, request: AuthenticatedRequest, token_id: FromPath[int]) -> None:
        user = db.get(User, request.user.user_id)
        assert user is not None  # noqa: S101 - the middleware found it a moment ago
        auth.revoke_token(db, user, token_id)

    @get("/users", guards=[admin_only], sync_to_thread=True)
    def list_users(self, db: Db) -> list[UserRead]:
        return [UserRead.model_validate(u) for u in db.exec(select(User).order_by(User.email))]

    @post("/users", guards=[admin_only], sync_to_thread=True)
    def create_user(self, db: Db, data: JSONBody[UserCreate]) -> UserRead:
        user = auth.create_user(
            db,
            email=data.email,
            name=data.name,
            role=data.role,
            password=data.password,
            person_id=data.person_id,
        )
        return UserRead.model_validate(user)

    @patch(
        "/users/{user_id:int}",
        guards=[admin_only],
        sync_to_thread=True,
        summary="Link the account to a person, or deactivate it (its tokens stop at once)",
    )
    def update_user(
        self,
        db: Db,
        request: AuthenticatedRequest,
        user_id: FromPath[int],
        data: JSONBody[UserUpdate],
    ) -> UserRead:
        user = auth.update_user(
            db, auth.get_user(db, user_id), data, acting_user_id=request.user.user_id
        )
        return UserRead.model_validate(user)
