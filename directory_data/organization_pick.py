"""Choosing a listing's organization by id or by name (the workspace's form codec,
:mod:`kiosk.forms.organization_field`, reads the form's select or text input):

* the name left as it was keeps the organization (even where several share that name);
* a name that matches one organization exactly, ignoring case and spacing, chooses it;
* the id, or the workspace address of its page (``.../organizations/<id>``), chooses it;
* no match, several matches, or a retired organization: a field error, and up to
  :data:`MATCHES` organizations to choose from (radio buttons ``organization_choice``), closest
  first; the form keeps every other value.

Retired organizations are never chosen, except that a listing keeps the one it already has.
Nothing here writes.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from sqlalchemy import Select, case, func, literal, or_, select
from sqlalchemy.orm import Session

from directory_data.models import Organization, Service
from directory_data.validation import FieldError

#: How many organizations are offered to choose from.
MATCHES = 10
#: How many rows the closest-name search ranks (it ranks them in Python).
_CANDIDATES = 200
_NAME_LIMIT = 300
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_PASTED_ID = re.compile(rf"^(?:{_UUID}|\S*/organizations/{_UUID}/?)$")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class OrganizationOption:
    """An organization offered to choose from, with what tells namesakes apart."""

    id: str
    name: str
    retired: bool = False
    website: str | None = None
    listings: int = 0
    #: The names of its first two listings (not retired), by name.
    listing_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrganizationPick:
    """What the form's organization field resolved to.

    ``organization_id`` is ``None`` for no organization or when there is an ``error``;
    ``name`` is the chosen organization's name, or the text as typed when there is an error;
    ``candidates`` are offered to choose from (closest first), ``total`` of them in all.
    """

    organization_id: str | None
    name: str = ""
    error: FieldError | None = None
    candidates: tuple[OrganizationOption, ...] = ()
    total: int = 0


def _key(text: str) -> str:
    """``text`` as names are compared: case folded, runs of white space as one space."""
    return " ".join(text.casefold().split())


def lists_every_organization(session: Session, limit: int) -> bool:
    """Whether the form offers every organization (a select): at most ``limit`` can be chosen."""
    chosen = select(Organization.id).where(Organization.retired_at.is_(None)).limit(limit + 1)
    return int(session.scalar(select(func.count()).select_from(chosen.subquery())) or 0) <= limit


def organization_names(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    """``{id: name}`` of the organizations ``ids`` that exist (``None`` and ``""`` are skipped)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(session.execute(  # type: ignore[arg-type]
        select(Organization.id, Organization.name).where(Organization.id.in_(wanted))).all())


def organization_options(session: Session, ids: Sequence[str]) -> list[OrganizationOption]:
    """The organizations ``ids``, in that order, with their listing counts and first listings."""
    if not ids:
        return []
    ranked = select(
        Service.organization_id, Service.name,
        func.row_number().over(partition_by=Service.organization_id,
                               order_by=(Service.name, Service.id)).label("place"),
        func.count().over(partition_by=Service.organization_id).label("total"),
    ).where(Service.organization_id.in_(ids), Service.retired_at.is_(None)).subquery()
    counts: dict[str, int] = {}
    names: dict[str, list[str]] = {}
    for organization_id, name, total in session.execute(
            select(ranked.c.organization_id, ranked.c.name, ranked.c.total).where(ranked.c.place <= 2)):
        counts[organization_id] = total
        names.setdefault(organization_id, []).append(name)
    rows = {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(ids)))}
    return [OrganizationOption(i, rows[i].name, rows[i].retired_at is not None, rows[i].website,
                               counts.get(i, 0), tuple(names.get(i, ())))
            for i in ids if i in rows]


def _patterns(typed: str) -> list[str]:
    """LIKE patterns for the organizations whose names share a word (or its start) with ``typed``."""
    words = _WORD.findall(typed.lower())
    long = [w for w in words if len(w) >= 3] or words
    found = [*long[:6], *(w[:3] for w in long[:6] if len(w) >= 4)]
    return [f"%{w}%" for w in dict.fromkeys(found)]


def _candidates(typed: str) -> Select[tuple[str, str]] | None:
    """The rows the closest-name search ranks: those sharing the most words (or word starts)
    with ``typed`` first, then the shortest. Names are lowered once (a materialized CTE on
    PostgreSQL, where ``lower()`` is most of the cost of the scan)."""
    patterns = _patterns(typed)
    if not patterns:
        return None
    live = (select(Organization.id, Organization.name, func.lower(Organization.name).label("lowered"))
            .where(Organization.retired_at.is_(None))
            .cte("live").prefix_with("MATERIALIZED", dialect="postgresql"))
    shared = functools.reduce(
        operator.add, (case((live.c.lowered.like(p), 1), else_=0) for p in patterns), literal(0))
    return (select(live.c.id, live.c.name)
            .where(or_(*(live.c.lowered.like(p) for p in patterns)))
            .order_by(shared.desc(), func.length(live.c.name), live.c.id)
            .limit(_CANDIDATES))


@functools.lru_cache(maxsize=4096)  # names share words ("Services", "Center"): each pair once
def _word_likeness(typed: str, word: str) -> float:
    """How alike a typed word and a word of a name are: 1 the same, 0.9 one starts the other,
    else difflib's ratio when it is at least 0.7 (a typo), else 0."""
    if typed == word:
        return 1.0
    if (word.startswith(typed) or typed.startswith(word)) and min(len(typed), len(word)) >= 3:
        return 0.9
    matcher = SequenceMatcher(None, typed, word)
    if matcher.real_quick_ratio() < 0.7 or matcher.quick_ratio() < 0.7:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= 0.7 else 0.0


def name_likeness(typed: str, name: str) -> float:
    """How well ``name`` answers ``typed``: the mean over the typed words of their likeness to
    the closest word of the name, less a little for each word of the name beyond them."""
    wanted = _WORD.findall(typed.casefold())
    words = _WORD.findall(name.casefold())
    if not wanted or not words:
        return 0.0
    found = sum(max(_word_likeness(w, n) for n in words) for w in wanted)
    return found / len(wanted) - 0.02 * max(0, len(words) - len(wanted))


def closest_organizations(session: Session, typed: str, *, limit: int = MATCHES) -> list[str]:
    """The ids of up to ``limit`` organizations (not retired) whose names are closest to
    ``typed``: names that contain it first, then by :func:`name_likeness`, then the shortest."""
    statement = _candidates(typed)
    if statement is None:
        return []
    wanted = _key(typed)

    def rank(row: tuple[str, str]) -> tuple[bool, float, int, str, str]:
        name = _key(row[1])
        return (wanted not in name, -name_likeness(wanted, name), len(name), name, row[0])

    rows = [(i, n) for i, n in session.execute(statement)]
    return [i for i, _ in sorted(rows, key=rank)[:limit]]


def pick_by_id(session: Session, ident: str, *, current_id: str | None, field: str,
               typed: str = "") -> OrganizationPick:
    """The organization ``ident`` unless it is unknown, or retired and not the listing's own
    (``current_id``): then an error on the input ``field``, with the organizations closest to
    ``typed`` to choose from."""
    organization = session.get(Organization, ident)
    if organization is None:
        return _missing(session, typed, field, "not an organization of the directory")
    if organization.retired_at is not None and organization.id != current_id:
        return _missing(session, typed, field, f"“{organization.name}” is retired: choose another, "
                                                "or restore it under Organizations first")
    return OrganizationPick(organization.id, organization.name)


def _missing(session: Session, typed: str, field: str, message: str) -> OrganizationPick:
    """An error on ``field`` with the organizations closest to ``typed`` to choose from."""
    ids = closest_organizations(session, typed) if typed else []
    return OrganizationPick(None, typed, FieldError(field, message),
                            tuple(organization_options(session, ids)), len(ids))


def _namesakes(session: Session, typed: str) -> list[tuple[str, str, bool]]:
    """``(id, name, retired)`` of every organization named ``typed`` (case and spacing aside)."""
    wanted = _key(typed)
    rows = session.execute(select(Organization.id, Organization.name, Organization.retired_at)
                           .where(func.lower(Organization.name) == typed.lower()))
    return [(i, n, r is not None) for i, n, r in rows if _key(n) == wanted]


def pick_by_name(session: Session, typed: str, *, shown_id: str, current_id: str | None,
                 field: str) -> OrganizationPick:
    """The organization named ``typed`` (in the input ``field``) for a listing whose organization
    is ``current_id``, where the form showed ``shown_id``'s name (see the module docstring)."""
    if not typed:
        return OrganizationPick(None)
    if len(typed) > _NAME_LIMIT:
        return OrganizationPick(None, typed[:_NAME_LIMIT],
                                FieldError(field, f"at most {_NAME_LIMIT} characters"))
    shown = session.get(Organization, shown_id) if shown_id else None
    if shown is not None and _key(shown.name) == _key(typed) and \
            (shown.retired_at is None or shown.id == current_id):
        return OrganizationPick(shown.id, shown.name)  # left as it was
    if _PASTED_ID.match(typed):
        return pick_by_id(session, typed.rstrip("/").rsplit("/", 1)[-1], current_id=current_id, field=field)
    namesakes = _namesakes(session, typed)
    live = [i for i, _, retired in namesakes if not retired]
    if len(live) == 1:
        return OrganizationPick(live[0], next(n for i, n, _ in namesakes if i == live[0]))
    if live:
        options = sorted(organization_options(session, live), key=lambda o: (-o.listings, o.id))
        return OrganizationPick(None, typed, FieldError(
            field, f"{len(live)} organizations are named “{typed}”: choose one below"),
            tuple(options[:MATCHES]), len(live))
    if namesakes:
        return _missing(session, typed, field, f"“{namesakes[0][1]}” is retired: choose another, "
                                                    "or restore it under Organizations first")
    return _missing(session, typed, field, f"no organization is named “{typed}”")
