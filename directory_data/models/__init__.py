"""The directory's models, one module per aggregate, re-exported here."""

from .audit import AuditEntry
from .base import Base, new_id, stable_id, utcnow
from .district import OUTSIDE, District, LocationDistrict, OutreachEvent
from .capacity import AvailabilityLink, ServiceCapacity, Unit
from .category import MISSION_CATEGORIES, Category, ServiceCategory
from .journal import ChangeJournalEntry
from .language import Language
from .location import (
    Accessibility,
    Address,
    AddressType,
    Location,
    LocationType,
    ServiceAtLocation,
)
from .organization import Organization
from .phone import Phone, PhoneAudience, PhoneType
from .problem import ProblemKind, ProblemReport
from .referral import QRMode, Referral, ReferralCount
from .schedule import WEEKDAYS, Schedule
from .search_stats import NO_CATEGORY, SearchCount, ZeroResultTerm
from .unmet_need import UnmetNeedCount
from .service import DEFAULT_STALE_AFTER_DAYS, CostOption, Service, ServiceStatus
from .taxonomy import ServiceTaxonomy, Taxonomy, TaxonomyTerm
from .throttle import ThrottleEvent
from .user import Role, StaffSession, User

__all__ = [
    "Accessibility",
    "Address",
    "AuditEntry",
    "AvailabilityLink",
    "AddressType",
    "Base",
    "Category",
    "ChangeJournalEntry",
    "CostOption",
    "DEFAULT_STALE_AFTER_DAYS",
    "District",
    "Language",
    "Location",
    "LocationDistrict",
    "LocationType",
    "MISSION_CATEGORIES",
    "NO_CATEGORY",
    "OUTSIDE",
    "Organization",
    "OutreachEvent",
    "Phone",
    "PhoneAudience",
    "PhoneType",
    "ProblemKind",
    "ProblemReport",
    "QRMode",
    "Referral",
    "ReferralCount",
    "Role",
    "Schedule",
    "SearchCount",
    "StaffSession",
    "UnmetNeedCount",
    "Service",
    "ServiceAtLocation",
    "ServiceCapacity",
    "ServiceCategory",
    "ServiceStatus",
    "ServiceTaxonomy",
    "Taxonomy",
    "TaxonomyTerm",
    "ThrottleEvent",
    "Unit",
    "User",
    "WEEKDAYS",
    "ZeroResultTerm",
    "new_id",
    "stable_id",
    "utcnow",
]
