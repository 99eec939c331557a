"""Demo people: the staff team and believable advocates (names, companies, profiles)."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.models import Advocate, AdvocateState, StaffRole, StaffUser, Status

DEMO_PASSWORD = "rallypoint-demo"
STAFF = (
    ("admin@rallypoint.test", "Alex Morgan", StaffRole.ADMIN),
    ("marketing@rallypoint.test", "Priya Natarajan", StaffRole.MARKETING),
    ("csm@rallypoint.test", "Jordan Ellis", StaffRole.CSM),
)

FIRST = (
    "Maya", "Daniel", "Sofia", "Liam", "Aisha", "Noah", "Elena", "Marcus", "Chloe", "Mateo", "Hannah",
    "Omar", "Grace", "Lucas", "Zoe", "Ethan", "Amara", "Felix", "Nora", "Samuel", "Ines", "Kai", "Leah",
    "Victor", "Mei", "Jonas", "Clara", "Tariq", "Ruth", "Hugo", "Yuki", "Adrian", "Freya", "Rafael",
    "Lena", "Theo", "Alma", "Isaac", "Priya", "Niko", "Esther", "Malik", "Ivy", "Bruno", "Selin", "Oscar",
    "Julia", "Ravi", "Anya", "Leon", "Farah", "Caleb", "Mira", "Diego", "Hazel", "Arjun", "Tessa", "Emil",
    "Nadia", "Paolo",
)
LAST = (
    "Thompson", "Okafor", "Lindqvist", "Romero", "Haddad", "Becker", "Nakamura", "Fischer", "Patel",
    "O'Brien", "Moreau", "Kowalski", "Silva", "Andersen", "Rossi", "Novak", "Chen", "Dubois", "Mensah",
    "Schmidt", "Alvarez", "Murphy", "Yilmaz", "Kim", "Jensen", "Costa", "Ivanova", "Walsh", "Hoffmann",
    "Garcia", "Tanaka", "Muller", "Bianchi", "Larsen", "Adeyemi", "Santos", "Brennan", "Vogel", "Sato",
    "Reyes", "Nielsen", "Quinn", "Ferreira", "Lambert", "Osei", "Weber", "Hughes", "Kaur", "Horvat",
    "Eriksen", "Ortega", "Fontaine", "Mwangi", "Byrne", "Kraus", "Delgado",
)
# (company, industry, size, region)
COMPANIES = (
    ("Brightlane", "Software", "201-1000", "North America"), ("Harbor Bank", "Financial Services",
    "5000+", "North America"), ("Medisync", "Healthcare", "1001-5000", "EMEA"),
    ("Northwind Retail", "Retail", "5000+", "North America"), ("Keelstone", "Manufacturing", "1001-5000",
    "EMEA"), ("Lumen Learning Co", "Education", "201-1000", "North America"),
    ("Fjord Freight", "Logistics", "1001-5000", "EMEA"), ("Cobalt Insurance", "Insurance", "5000+", "EMEA"),
    ("Papaya Media", "Media", "51-200", "LATAM"), ("Tidewater Health", "Healthcare", "5000+",
    "North America"), ("Quanta Pay", "Financial Services", "201-1000", "EMEA"),
    ("Sakura Robotics", "Manufacturing", "1001-5000", "APAC"), ("Juniper Analytics", "Software", "51-200",
    "EMEA"), ("Atlas Outfitters", "Retail", "1001-5000", "EMEA"), ("Meridian Credit Union",
    "Financial Services", "201-1000", "North America"), ("Kiwi Cloud", "Software", "51-200", "APAC"),
    ("Andes Logistica", "Logistics", "201-1000", "LATAM"), ("Civic Works", "Public Sector", "1001-5000",
    "North America"), ("Orbit Telecom", "Media", "5000+", "APAC"), ("Greenfield Schools", "Education",
    "1001-5000", "EMEA"), ("Vantage Assurance", "Insurance", "1001-5000", "North America"),
    ("Pixel Forge", "Software", "1-50", "North America"), ("Rio Verde Foods", "Retail", "201-1000",
    "LATAM"), ("Helix Biotech", "Healthcare", "201-1000", "APAC"), ("Stratus Capital",
    "Financial Services", "51-200", "APAC"), ("Beacon Manufacturing", "Manufacturing", "201-1000",
    "North America"), ("Nordlys Energy", "Public Sector", "1001-5000", "EMEA"),
    ("Summit Travel", "Retail", "51-200", "APAC"), ("Clearpath Software", "Software", "1001-5000", "EMEA"),
    ("Mosaic Media Group", "Media", "201-1000", "North America"),
)
TITLES = (
    "Head of Customer Success", "Marketing Operations Manager", "VP Marketing", "Director of Operations",
    "Product Manager", "Senior Analyst", "CRM Administrator", "Head of Digital", "Growth Lead",
    "IT Director", "Community Manager", "Chief Operating Officer", "Revenue Operations Lead",
    "Customer Experience Manager", "Data Engineer", "Director of Sales Enablement",
)
TAGS = ("analytics", "automation", "integrations", "reporting", "api", "mobile", "security", "onboarding")


def make_staff(session: Session, password_hash: str, now: datetime) -> dict[StaffRole, StaffUser]:
    staff = {}
    for email, name, role in STAFF:
        staff[role] = StaffUser(email=email, name=name, role=role, password_hash=password_hash,
                                created_at=now - timedelta(days=240), last_login_at=now - timedelta(hours=3))
        session.add(staff[role])
    session.flush()
    return staff


@dataclass
class Profile:
    name: str
    email: str
    company: str
    industry: str
    company_size: str
    region: str


def profiles(rng: random.Random, count: int) -> list[Profile]:
    """`count` distinct people, each at a company with its industry, size and region."""
    seen: set[str] = set()
    result = []
    while len(result) < count:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company, industry, size, region = rng.choice(COMPANIES)
        domain = company.lower().replace(" ", "")
        local = f"{first}.{last}".lower().replace("'", "")
        email = f"{local}@{domain}.test"
        if email in seen:
            continue
        seen.add(email)
        result.append(Profile(f"{first} {last}", email, company, industry, size, region))
    return result


def make_advocate(session: Session, rng: random.Random, profile: Profile, *, joined: datetime,
                  password_hash: str | None, owner_id: int | None) -> Advocate:
    """An active advocate who joined the program at `joined`, with a believable customer profile."""
    years = rng.choice((1, 1, 2, 2, 3, 4, 5, 7))
    advocate = Advocate(
        email=profile.email, name=profile.name, password_hash=password_hash, company=profile.company,
        title=rng.choice(TITLES), industry=profile.industry, company_size=profile.company_size,
        region=profile.region, tags=sorted(rng.sample(TAGS, rng.randint(1, 3))),
        customer_since=(joined - timedelta(days=365 * years + rng.randint(0, 300))).date(),
        nps=rng.choice((7, 8, 9, 9, 9, 10, 10, 10)), health_score=rng.randint(62, 98), owner_id=owner_id,
        state=AdvocateState.ACTIVE, status=Status.BRONZE, status_since=joined, created_at=joined,
        leaderboard_opt_out=rng.random() < 0.05,
    )
    session.add(advocate)
    return advocate
