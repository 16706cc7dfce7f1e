"""Providers' private update links: issue, verify and revoke.

A link carries a random token (32 bytes, URL-safe); only its SHA-256 is stored, so neither the
database nor a backup can give a working link away. A service has at most one working link:
issuing a new one revokes the old. Issuing and revoking are audited. The functions add and
flush; they never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from directory_data.audit import record_action
from directory_data.models import AvailabilityLink, Service, utcnow

#: Random bytes in a token (256 bits).
TOKEN_BYTES = 32
#: The longest token text accepted before hashing (a URL-safe 32-byte token is 43 characters).
MAX_TOKEN_CHARS = 100


@dataclass(frozen=True)
class IssuedLink:
    """A link just issued: its row and the token, which is never stored nor shown again."""

    link: AvailabilityLink
    token: str


def hash_token(token: str) -> str:
    """The stored form of ``token``: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_link(session: Session, service_id: str, actor: str) -> IssuedLink:
    """A new link for the service ``service_id`` (revoking any working one); ``LookupError``
    when there is no such service."""
    if session.get(Service, service_id) is None:
        raise LookupError(service_id)
    revoke_links(session, service_id, actor, audit=False)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = AvailabilityLink(service_id=service_id, token_hash=hash_token(token), created_by=actor)
    session.add(link)
    session.flush()
    record_action(session, action="issue", actor=actor, resource_type="availability_link",
                  resource_id=link.id, listing_id=service_id)
    return IssuedLink(link, token)


def revoke_links(session: Session, service_id: str, actor: str, *, audit: bool = True) -> int:
    """Revoke the working links of ``service_id``; how many there were."""
    now = utcnow()
    ids = list(session.scalars(select(AvailabilityLink.id).where(
        AvailabilityLink.service_id == service_id, AvailabilityLink.revoked_at.is_(None))))
    if ids:
        session.execute(update(AvailabilityLink).where(AvailabilityLink.id.in_(ids))
                        .values(revoked_at=now, revoked_by=actor)
                        .execution_options(synchronize_session="fetch"))
        session.flush()
        if audit:
            for link_id in ids:
                record_action(session, action="revoke", actor=actor, resource_type="availability_link",
                              resource_id=link_id, listing_id=service_id)
    return len(ids)


def find_link(session: Session, token: str) -> AvailabilityLink | None:
    """The working link ``token`` opens, or None (unknown, revoked, or not a token at all)."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    wanted = hash_token(token)
    link = session.scalar(select(AvailabilityLink).where(AvailabilityLink.token_hash == wanted))
    if link is None or link.revoked_at is not None or not hmac.compare_digest(link.token_hash, wanted):
        return None
    return link


def working_link(session: Session, service_id: str) -> AvailabilityLink | None:
    """The service's working link (its row; the token is not known), or None."""
    return session.scalar(select(AvailabilityLink).where(
        AvailabilityLink.service_id == service_id, AvailabilityLink.revoked_at.is_(None)))
