"""Who is calling: an account, and the role its token grants."""

from dataclasses import dataclass

ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class Principal:
    account_id: str
    role: str = "user"

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN_ROLE
