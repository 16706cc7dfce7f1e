"""The change journal: one entry per changed service, written in the transaction of the change.

:func:`install_journal_hooks` puts listeners on a session factory (never at import time):

* ``before_flush`` works out which services the pending inserts, updates and deletes touch
  (assigning a new service its id) and inserts one ``change_journal`` row per service *in the
  same transaction*, counting them in ``session.info``; a rollback takes the rows with it.
* ``after_commit`` calls the registered callbacks with that count. Readers (the search index,
  display caches) re-read committed data; nothing is indexed at flush time (DESIGN.md example 5).

A service is touched by changes to itself, to rows carrying its ``service_id``, to a location it
is delivered at (and that location's rows), to its organization, to a taxonomy term or category
it carries. Bulk statements and Core inserts (the importer, a restore) bypass the flush: they
journal with :func:`record_service_changes`.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import NO_VALUE

from directory_data.models import (
    Category,
    ChangeJournalEntry,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceTaxonomy,
    TaxonomyTerm,
    new_id,
)
from directory_data.models.base import utcnow

log = logging.getLogger(__name__)


def record_service_changes(session: Session, service_ids: Iterable[str]) -> int:
    """Journal that the services ``service_ids`` changed, in ``session``'s transaction; how many."""
    now = utcnow()
    rows = [{"service_id": sid, "changed_at": now} for sid in dict.fromkeys(service_ids)]
    if rows:
        session.execute(insert(ChangeJournalEntry), rows)
    return len(rows)


#: ``session.info`` key counting the services journaled in the current transaction.
PENDING_KEY = "directory_data.journaled"

#: ``session.info`` key that, when true, turns the hooks off for that session (a caller that
#: journals in bulk itself, say).
DISABLE_KEY = "directory_data.no_journal_hooks"

CommitCallback = Callable[[int], None]


@dataclass
class Touched:
    """What a flush touches, before it is resolved to service ids."""

    services: set[str] = field(default_factory=set)
    locations: set[str] = field(default_factory=set)
    organizations: set[str] = field(default_factory=set)
    service_locations: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    terms: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)

    def resolve(self, session: Session) -> set[str]:
        """The service ids touched, looking linked rows up in the database."""
        ids = set(self.services)
        locations = set(self.locations)
        if self.phones:
            rows = session.execute(
                select(Phone.service_id, Phone.location_id).where(Phone.id.in_(self.phones))
            ).all()
            ids.update(r[0] for r in rows if r[0])
            locations.update(r[1] for r in rows if r[1])
        if self.service_locations:
            ids.update(
                session.scalars(
                    select(ServiceAtLocation.service_id).where(ServiceAtLocation.id.in_(self.service_locations))
                )
            )
        if locations:
            ids.update(
                session.scalars(
                    select(ServiceAtLocation.service_id).where(ServiceAtLocation.location_id.in_(locations))
                )
            )
        if self.organizations:
            ids.update(session.scalars(select(Service.id).where(Service.organization_id.in_(self.organizations))))
        if self.terms:
            ids.update(
                session.scalars(
                    select(ServiceTaxonomy.service_id).where(ServiceTaxonomy.taxonomy_term_id.in_(self.terms))
                )
            )
        if self.categories:
            ids.update(
                session.scalars(
                    select(ServiceCategory.service_id).where(ServiceCategory.category_slug.in_(self.categories))
                )
            )
        ids.discard(None)  # type: ignore[arg-type]
        return ids


def _values(obj: Any, key: str) -> list[Any]:
    """The current and previous values of attribute ``key`` of ``obj`` (never loads anything)."""
    state = inspect(obj)
    if key not in state.attrs:
        return []
    history = state.attrs[key].history
    values = [*history.added, *history.unchanged, *history.deleted]
    if not values:
        loaded = state.attrs[key].loaded_value
        if loaded is not NO_VALUE and loaded is not None:
            values = [loaded]
    out: list[Any] = []
    for value in values:
        if isinstance(value, (list, tuple, set)):
            out.extend(value)
        elif value is not None:
            out.append(value)
    return out


def _ensure_id(obj: Any) -> str:
    """The primary key ``id`` of ``obj``, assigned now when a new object has none yet."""
    if getattr(obj, "id", None) is None:
        obj.id = new_id()
    return obj.id


def _collect(obj: Any, touched: Touched) -> None:
    """Add what ``obj`` (new, changed or deleted) touches to ``touched``."""
    if isinstance(obj, ChangeJournalEntry):
        return
    if isinstance(obj, Service):
        touched.services.add(_ensure_id(obj))
        return
    if isinstance(obj, Location):
        if obj.id is not None:
            touched.locations.add(obj.id)
        touched.services.update(_ensure_id(link.service) for link in _values(obj, "service_links") if link.service)
        return
    if isinstance(obj, Organization):
        if obj.id is not None:
            touched.organizations.add(obj.id)
        touched.services.update(_ensure_id(s) for s in _values(obj, "services"))
        return
    if isinstance(obj, TaxonomyTerm):
        if obj.id is not None:
            touched.terms.add(obj.id)
        return
    if isinstance(obj, Category):
        touched.categories.add(obj.slug)
        return
    touched.services.update(_values(obj, "service_id"))
    touched.services.update(_ensure_id(s) for s in _values(obj, "service"))
    touched.locations.update(_values(obj, "location_id"))
    touched.locations.update(loc.id for loc in _values(obj, "location") if loc.id is not None)
    touched.organizations.update(_values(obj, "organization_id"))
    if isinstance(obj, Schedule):
        touched.service_locations.update(_values(obj, "service_at_location_id"))
    touched.phones.update(_values(obj, "phone_id"))
    for phone in _values(obj, "phone"):
        touched.services.update(_values(phone, "service_id"))
        touched.locations.update(_values(phone, "location_id"))


def touched_services(session: Session) -> set[str]:
    """The ids of the services the session's pending changes touch (call before the flush)."""
    touched = Touched()
    modified: Iterable[Any] = (o for o in session.dirty if session.is_modified(o))
    for obj in [*session.new, *modified, *session.deleted]:
        _collect(obj, touched)
    with session.no_autoflush:
        return touched.resolve(session)


class _Hooks:
    """The listeners installed on one session factory and its commit callbacks."""

    def __init__(self) -> None:
        self.callbacks: list[CommitCallback] = []

    def before_flush(self, session: Session, _context: Any, _instances: Any) -> None:
        if session.info.get(DISABLE_KEY):
            return
        ids = touched_services(session)
        if ids:
            with session.no_autoflush:
                count = record_service_changes(session, sorted(ids))
            session.info[PENDING_KEY] = session.info.get(PENDING_KEY, 0) + count

    def after_commit(self, session: Session) -> None:
        if session.in_nested_transaction():  # a savepoint was released; the transaction goes on
            return
        count = session.info.pop(PENDING_KEY, 0)
        if not count:
            return
        for callback in list(self.callbacks):
            try:
                callback(count)
            except Exception:  # the commit stands; readers catch up from the journal
                log.exception("a callback after a journaled commit failed; the journal keeps the change")

    def after_soft_rollback(self, session: Session, previous: Any) -> None:
        if previous.parent is None:  # the whole transaction (not a savepoint) rolled back
            session.info.pop(PENDING_KEY, None)


_installed: weakref.WeakKeyDictionary[sessionmaker[Session], _Hooks] = weakref.WeakKeyDictionary()


def install_journal_hooks(
    session_factory: sessionmaker[Session], on_commit: CommitCallback | None = None
) -> None:
    """Journal every ORM flush of sessions made by ``session_factory``; idempotent.

    ``on_commit(count)`` is called after each commit that journaled ``count`` services.
    """
    hooks = _installed.get(session_factory)
    if hooks is None:
        hooks = _Hooks()
        event.listen(session_factory, "before_flush", hooks.before_flush)
        event.listen(session_factory, "after_commit", hooks.after_commit)
        event.listen(session_factory, "after_soft_rollback", hooks.after_soft_rollback)
        _installed[session_factory] = hooks
    if on_commit is not None and on_commit not in hooks.callbacks:
        hooks.callbacks.append(on_commit)
