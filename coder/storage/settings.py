"""Study settings: choices a team makes once for a whole study, kept in its `meta` table."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session

from coder.storage.audit import record
from coder.storage.audit_events import PseudonymKeyChanged, UncodableRolesChanged
from coder.storage.models import Meta
from coder.storage.vocabulary import INTERVIEWER

#: Roles whose turns are shown but cannot be coded, unless the study says otherwise.
DEFAULT_UNCODABLE_ROLES = (INTERVIEWER,)
UNCODABLE_ROLES_KEY = "uncodable_roles"
#: The SHA-256 of the pseudonym key the study's transcripts were imported with (DESIGN §7);
#: absent when the study is not pseudonymised. Never the key itself.
PSEUDONYM_KEY = "pseudonym_key_sha256"


def uncodable_roles(session: Session) -> frozenset[str]:
    """Participant roles whose turns cannot be coded in this study (a study setting)."""
    value = session.execute(select(Meta.value).where(Meta.key == UNCODABLE_ROLES_KEY)).scalar()
    roles = DEFAULT_UNCODABLE_ROLES if value is None else value.split(",")
    return frozenset(role.strip() for role in roles if role.strip())


def set_uncodable_roles(session: Session, roles: Iterable[str], actor: str) -> None:
    """Change which roles' turns cannot be coded; audited like every change."""
    value = ",".join(sorted({role.strip().lower() for role in roles if role.strip()}))
    row = session.get(Meta, UNCODABLE_ROLES_KEY)
    before = row.value if row else ",".join(DEFAULT_UNCODABLE_ROLES)
    session.merge(Meta(key=UNCODABLE_ROLES_KEY, value=value))
    record(session, actor, UncodableRolesChanged(before=before, after=value))


def pseudonym_key(session: Session) -> str | None:
    """The hash of the key the study is pseudonymised with; None when it is not pseudonymised."""
    return session.execute(select(Meta.value).where(Meta.key == PSEUDONYM_KEY)).scalar()


def set_pseudonym_key(session: Session, sha256: str, actor: str) -> None:
    """Record that the study is pseudonymised with the key of this hash; audited when it changes."""
    before = pseudonym_key(session)
    if before == sha256:
        return
    session.merge(Meta(key=PSEUDONYM_KEY, value=sha256))
    record(session, actor, PseudonymKeyChanged(before=before, after=sha256))
