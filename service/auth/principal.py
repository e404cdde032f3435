"""Who is calling, as the services see it: no HTTP types, so the domain can take it as is."""

from __future__ import annotations

from dataclasses import dataclass

from service.auth.models import STAFF_ROLES, Role


@dataclass(frozen=True)
class Principal:
    """Who is calling: a detached snapshot of the user, safe to keep after the DB session.

    The bearer-token middleware (`service.auth.guards`) makes it; services and presenters
    take it without depending on Litestar."""

    user_id: int
    email: str
    role: Role
    person_id: int | None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES
