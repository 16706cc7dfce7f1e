"""Synthetic directories for the search benchmark: transient ORM services from a fixed seed.

The services are plain :class:`directory_data.models.Service` objects with their organization,
location, address, phones, schedules, languages, cost options, taxonomy terms and categories set
in memory (never added to a session), so the benchmark measures the real
:func:`search_index.documents.service_document` on them. Vocabulary, hours, places and
languages are drawn to look like a county 211 directory: a few hundred service kinds across
twenty fields of need, Zipf-distributed filler, Florida places, English/Spanish/Creole text.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal

from directory_data.models import (
    Accessibility,
    Address,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceTaxonomy,
    TaxonomyTerm,
)

# (category slug or "", AIRS code, its name in the 211 taxonomy, kinds of service, topic words, Spanish kind)
FIELDS: list[tuple[str, str, str, list[str], list[str], str]] = [
    ("housing", "BH-1800.8500", "Homeless Shelter", ["Emergency Shelter", "Family Shelter", "Night Shelter", "Transitional Housing"],
     ["shelter", "beds", "homeless", "overnight", "families", "single adults", "case management", "showers"], "Refugio"),
    ("housing", "BH-3800.7000", "Rent Payment Assistance", ["Rental Assistance", "Eviction Prevention", "Housing Voucher Program"],
     ["rent", "eviction", "landlord", "deposit", "voucher", "section 8", "housing choice", "arrears"], "Ayuda con el alquiler"),
    ("housing", "BH-7000.4600", "Low Income/Subsidized Rental Housing", ["Affordable Housing", "Public Housing Authority", "Senior Apartments"],
     ["apartments", "income-based", "waiting list", "units", "HUD", "affordable", "lease"], "Vivienda"),
    ("mental-health", "RM-6500", "Outpatient Mental Health Facilities", ["Counseling Center", "Behavioral Health Clinic", "Therapy Services"],
     ["counseling", "therapy", "depression", "anxiety", "psychiatrist", "medication management", "trauma", "grief"], "Consejería"),
    ("mental-health", "RP-1500", "Crisis Intervention", ["Crisis Stabilization Unit", "Mobile Crisis Team", "Baker Act Receiving Facility"],
     ["crisis", "psychiatric emergency", "involuntary examination", "stabilization", "Baker Act", "24 hours"], "Crisis de salud mental"),
    ("mental-health", "RX-8450", "Substance Use Disorder Treatment Programs", ["Detox Program", "Addiction Recovery", "Substance Abuse Counseling"],
     ["addiction", "detox", "alcohol", "opioid", "recovery", "Marchman Act", "relapse", "sober"], "Tratamiento de adicciones"),
    ("mental-health", "PN-8100", "Support Groups", ["Peer Support Group", "Grief Support Group", "Family Support Group"],
     ["peer", "support group", "meetings", "families", "grief", "recovery", "NAMI"], "Grupo de apoyo"),
    ("childcare", "PH-1250.1400", "Child Care Centers", ["Child Care Center", "Early Learning Center", "Daycare"],
     ["daycare", "infants", "toddlers", "preschool", "subsidized", "after school", "licensed"], "Guardería"),
    ("childcare", "HD-1800.6500", "Preschools", ["VPK Program", "Head Start", "Pre-K Classroom"],
     ["VPK", "pre-k", "four year olds", "school readiness", "Head Start", "early learning coalition"], "Prekínder"),
    ("abuse", "BH-1800.1500-100", "Domestic Violence Shelters", ["Domestic Violence Shelter", "Safe House", "Victim Advocacy"],
     ["domestic violence", "abuse", "safety planning", "injunction", "confidential shelter", "advocate", "survivors"], "Violencia doméstica"),
    ("abuse", "RP-1400.8000-800", "Sexual Assault Counseling", ["Rape Crisis Center", "Sexual Assault Advocacy", "SANE Exam Program"],
     ["sexual assault", "rape", "forensic exam", "advocate", "hospital accompaniment", "counseling"], "Agresión sexual"),
    ("abuse", "PH-6500.1500", "Children's Protective Services", ["Child Protection Team", "Child Advocacy Center", "Foster Care Services"],
     ["child abuse", "neglect", "DCF", "foster", "forensic interview", "kinship", "protective"], "Abuso infantil"),
    ("", "BD-1800", "Emergency Food", ["Food Pantry", "Soup Kitchen", "Mobile Food Distribution"],
     ["food", "groceries", "meals", "hot meals", "canned goods", "SNAP", "produce"], "Despensa de alimentos"),
    ("", "LN-1500", "Community Clinics", ["Community Health Center", "Free Clinic", "Dental Clinic"],
     ["clinic", "doctor", "primary care", "dental", "prescriptions", "sliding scale", "uninsured"], "Clínica"),
    ("", "FT-3200", "General Legal Aid", ["Legal Aid", "Tenant Legal Help", "Immigration Legal Services"],
     ["lawyer", "legal", "court", "tenant rights", "immigration", "custody", "divorce"], "Ayuda legal"),
    ("", "ND-6500", "Training and Employment Programs", ["Job Center", "Career Training", "Employment Services"],
     ["jobs", "resume", "training", "employment", "interview", "GED", "career"], "Empleo"),
    ("", "BV-8900.9300", "Utility Service Payment Assistance", ["Utility Assistance", "Electric Bill Help", "LIHEAP Program"],
     ["electric", "utility", "water bill", "LIHEAP", "disconnection", "energy"], "Ayuda con servicios públicos"),
    ("", "BT-4500.6500", "Paratransit Programs", ["Medical Transportation", "Bus Passes", "Senior Rides"],
     ["transportation", "rides", "bus", "appointments", "wheelchair van"], "Transporte"),
    ("", "YB-8000", "Older Adults", ["Senior Center", "Meals on Wheels", "Adult Day Care"],
     ["seniors", "elderly", "older adults", "caregivers", "home delivered meals", "Alzheimer"], "Personas mayores"),
    ("", "YN-9000", "Veterans", ["Veterans Services", "Veteran Housing Program", "VA Benefits Help"],
     ["veterans", "VA", "military", "benefits", "discharge", "PTSD"], "Veteranos"),
]

FILLER = (
    "provides offers serves helps community residents county individuals families program services staff "
    "assistance support eligible referral appointment application call visit office center information "
    "resources local area available hours week month day year provide including through also may must "
    "income documentation identification proof residency required please bring photo current address "
    "trained volunteers professional confidential private safe welcoming respectful culturally "
    "bilingual staff trained certified licensed nonprofit organization agency partner network funding "
    "grant state federal city neighborhood downtown north south east west central near close "
    "children youth adults parents teens women men students workers people households members clients"
).split()

PLACES = ["Sanford", "Oviedo", "Lake Mary", "Longwood", "Altamonte Springs", "Casselberry", "Winter Springs",
          "Orlando", "Kissimmee", "Deltona", "Apopka", "Winter Park", "Maitland", "Geneva", "Chuluota",
          "Miami", "Hialeah", "Homestead", "Tampa", "Daytona"]
SURNAMES = ["Grace", "Hope", "Harbor", "Bridge", "Lighthouse", "Cornerstone", "Haven", "Unity", "Mercy",
            "Pathways", "New Beginnings", "Sunrise", "Horizon", "Family", "Shepherd", "Anchor", "Beacon",
            "Tree of Life", "Open Door", "Good Samaritan", "Salvation", "Heartland", "Coastal", "Palmetto",
            "Cypress", "Magnolia", "Pelican", "Manatee", "Osprey", "Heron", "Citrus", "Everglades"]
SUFFIXES = ["Inc.", "Foundation", "Alliance", "Ministries", "Services", "Network", "Coalition", "Center", "Partners"]
ZIP_BOX = {  # zip -> (lat, lon)
    "32771": (28.80, -81.29), "32773": (28.74, -81.26), "32746": (28.76, -81.35), "32750": (28.70, -81.35),
    "32701": (28.66, -81.38), "32707": (28.65, -81.31), "32708": (28.68, -81.27), "32765": (28.66, -81.20),
    "32801": (28.54, -81.38), "32803": (28.56, -81.35), "34741": (28.30, -81.41), "32738": (28.91, -81.20),
    "33125": (25.78, -80.23), "33010": (25.83, -80.28), "33030": (25.48, -80.48), "33602": (27.95, -82.46),
}
HOURS = [
    [("MO,TU,WE,TH,FR", "09:00", "17:00")],
    [("MO,TU,WE,TH,FR", "08:00", "12:00"), ("MO,TU,WE,TH,FR", "13:00", "17:00")],
    [("MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00")],
    [("MO,TU,WE,TH,FR,SA,SU", "19:00", "07:00")],
    [("MO,WE,FR", "10:00", "14:00")],
    [("TU,TH", "17:00", "20:00"), ("SA", "09:00", "12:00")],
    [("MO,TU,WE,TH", "07:30", "18:00")],
    [],
]
LANGS = [("en", "English"), ("es", "Spanish"), ("ht", "Haitian Creole"), ("vi", "Vietnamese"), ("pt", "Portuguese")]


_ZIPF_WEIGHTS = [1.0 / (rank + 1) for rank in range(len(FILLER))]


def _zipf_choice(rng: random.Random, items: list[str]) -> str:
    return rng.choices(items, cum_weights=_CUM[len(items)])[0]


_CUM: dict[int, list[float]] = {}
_total = 0.0
_cum: list[float] = []
for _w in _ZIPF_WEIGHTS:
    _total += _w
    _cum.append(_total)
_CUM[len(FILLER)] = _cum


def synthetic_services(n: int, seed: int = 1) -> Iterator[Service]:
    """``n`` transient services drawn from ``seed`` (the same seed always gives the same services).

    Every object carries ``source="synthetic"`` and a unique ``source_id``, so the services can be
    added to a database as they are.
    """
    rng = random.Random(seed)
    terms: dict[str, TaxonomyTerm] = {}
    today = dt.date(2026, 11, 1)
    for i in range(n):
        slug, code, term_name, kinds, topics, kind_es = FIELDS[
            min(int(rng.expovariate(0.12)), len(FIELDS) - 1) if rng.random() < 0.5 else rng.randrange(len(FIELDS))
        ]
        place = rng.choice(PLACES)
        org_name = f"{rng.choice(SURNAMES)} {rng.choice(['', place + ' '])}{rng.choice(SUFFIXES)}".replace("  ", " ")
        kind = rng.choice(kinds)
        name = f"{place} {kind}" if rng.random() < 0.5 else f"{rng.choice(SURNAMES)} {kind}"
        sentences = [
            f"{org_name} {rng.choice(['offers', 'provides', 'runs'])} {kind.lower()} for {rng.choice(FILLER)} "
            f"in {place} and {rng.choice(PLACES)}.",
        ]
        for _ in range(rng.randint(2, 5)):
            picked = rng.sample(topics, k=min(len(topics), rng.randint(1, 3)))
            filler = " ".join(_zipf_choice(rng, FILLER) for _ in range(rng.randint(4, 12)))
            sentences.append(f"{' and '.join(picked).capitalize()} {filler}.")
        if rng.random() < 0.15:
            other = rng.choice(FIELDS)
            sentences.append(f"Also {rng.choice(other[4])} and {rng.choice(other[3]).lower()} referrals.")
        service = Service(
            id=f"00000000-0000-4000-8000-{i:012d}",
            source="synthetic",
            source_id=str(i),
            name=name,
            description=" ".join(sentences),
            organization=Organization(name=org_name, source="synthetic", source_id=f"org-{i}"),
            eligibility_description=rng.choice(["", "Residents of Seminole County.", "Low-income families.",
                                                "Women and their children.", "Adults 18 and older.", "Youth ages 12-17."]),
            minimum_age=rng.choice([None, None, None, 18, 12, 0, 60]),
            maximum_age=rng.choice([None, None, None, 17, 24, 5]),
            walk_in=rng.random() < 0.4,
            assured_date=today - dt.timedelta(days=rng.randint(0, 500)),
            fees_description=rng.choice(["Free", "Sliding scale", "No cost", "$25 per visit", None]),
        )
        if rng.random() < 0.3:
            service.name_es = f"{kind_es} {place}"
            service.description_es = f"{kind_es} para familias en {place}. Servicios gratuitos y confidenciales."
        if slug:
            service.category_links = [ServiceCategory(category_slug=slug)]
        term = terms.get(code) or terms.setdefault(
            code, TaxonomyTerm(code=code, name=term_name, source="synthetic", source_id=f"term-{code}")
        )
        service.taxonomy_links = [ServiceTaxonomy(term=term)]
        zip_code = rng.choice(list(ZIP_BOX))
        lat, lon = ZIP_BOX[zip_code]
        sid = lambda kind, k=0: {"source": "synthetic", "source_id": f"{kind}-{i}-{k}"}  # noqa: E731
        location = Location(name=name, latitude=lat + rng.uniform(-0.03, 0.03), longitude=lon + rng.uniform(-0.03, 0.03),
                            **sid("loc"))
        location.addresses = [Address(address_1=f"{rng.randint(100, 9999)} Main St", city=place,
                                      state_province="FL", postal_code=zip_code, **sid("addr"))]
        if rng.random() < 0.5:
            location.accessibility = [Accessibility(description="Wheelchair accessible", **sid("acc"))]
        service.location_links = [ServiceAtLocation(location=location, **sid("sal"))]
        service.phones = [Phone(number=f"407-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}", **sid("phone"))]
        service.languages = [
            Language(code=c, name=nm, **sid("lang", k))
            for k, (c, nm) in enumerate(LANGS)
            if c == "en" or rng.random() < (0.45 if c == "es" else 0.08)
        ]
        service.schedules = [
            Schedule(freq="WEEKLY", byday=byday, opens_at=dt.time(*map(int, o.split(":"))),
                     closes_at=dt.time(*map(int, c.split(":"))), **sid("sched", k))
            for k, (byday, o, c) in enumerate(rng.choice(HOURS))
        ]
        if rng.random() < 0.05:
            service.schedules.append(Schedule(valid_from=dt.date(2026, 12, 24), valid_to=dt.date(2026, 12, 26), **sid("closed")))
        if rng.random() < 0.3:
            service.cost_options = [CostOption(option="Free", amount=Decimal(0), **sid("cost"))]
        yield service
