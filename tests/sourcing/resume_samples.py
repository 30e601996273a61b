"""Résumés written for the tests: a few people, each with what a careful
reader would take from their résumé, rendered as PDF (fpdf2) and DOCX
(python-docx) in several layouts: one column, two columns (a sidebar),
headings in capitals, skills in a table, the name in the page header.

PDFs use the core fonts with the Windows-1252 encoding, so names are
limited to Western European letters there; DOCX carries any letter."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import docx
from docx.shared import Pt
from fpdf import FPDF

TODAY = dt.date(2026, 1, 15)


@dataclass
class Job:
    title: str
    company: str
    dates: str
    bullets: list[str] = field(default_factory=list)


@dataclass
class School:
    degree: str
    school: str
    year: int


@dataclass
class Person:
    key: str
    first_name: str
    last_name: str
    email: str
    phone_written: str
    phone: str  # E.164
    location: str
    summary: str
    jobs: list[Job]
    schools: list[School]
    skills_written: list[str]  # as the résumé lists them (aliases included)
    skills: set[str]  # the vocabulary's names
    years: int  # at TODAY
    linkedin: str = ""
    github: str = ""
    portfolio: str = ""
    name_label: bool = False  # writes "Name: …" instead of a bare first line
    unicode_only: bool = False  # letters outside Windows-1252: DOCX only

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def links(self) -> list[str]:
        return [u for u in (self.linkedin, self.github, self.portfolio) if u]


PEOPLE = [
    Person(
        key="ana",
        first_name="Ana",
        last_name="Carvalho",
        email="ana.carvalho@example.org",
        phone_written="+55 11 98765-4321",
        phone="+5511987654321",
        location="São Paulo, Brazil",
        summary="Backend engineer who likes boring technology and fast queries.",
        jobs=[
            Job(
                "Senior Backend Engineer",
                "Bluefin Analytics",
                "Mar 2019 – Present",
                ["Led the move of billing to PostgreSQL partitions.", "Mentored four engineers."],
            ),
            Job(
                "Backend Developer",
                "Pipa Labs",
                "Jan 2015 – Feb 2019",
                ["Built payment APIs in Django.", "Ran the on-call rota."],
            ),
        ],
        schools=[School("BSc Computer Science", "Universidade de São Paulo", 2014)],
        skills_written=["Python", "Django", "PostgreSQL", "k8s", "Redis", "Go"],
        skills={"Python", "Django", "PostgreSQL", "Kubernetes", "Redis", "Go"},
        years=11,
        linkedin="https://www.linkedin.com/in/ana-carvalho",
        github="https://github.com/anacarvalho",
    ),
    Person(
        key="jose",
        first_name="José",
        last_name="Müller",
        email="jose.muller@example.com",
        phone_written="030 12345678",
        phone="+493012345678",
        location="Berlin, Germany",
        summary="Data scientist turning hospital data into fewer readmissions.",
        jobs=[
            Job(
                "Data Scientist",
                "Kiefer Health GmbH",
                "06/2020 – present",
                ["Trained readmission models with PyTorch.", "Owned the feature store."],
            ),
            Job(
                "Data Analyst",
                "Nordlicht Retail AG",
                "09/2016 – 05/2020",
                ["Weekly forecasts in SQL and sklearn."],
            ),
        ],
        schools=[School("MSc Statistics", "Technische Universität München", 2016)],
        skills_written=["Python", "PyTorch", "SQL", "sklearn", "Tableau", "R"],
        skills={"Python", "PyTorch", "SQL", "scikit-learn", "Tableau", "R"},
        years=9,
        portfolio="https://josemuller.dev",
    ),
    Person(
        key="sofia",
        first_name="Sofía",
        last_name="Núñez",
        email="sofia.nunez@example.es",
        phone_written="+34 612 34 56 78",
        phone="+34612345678",
        location="Madrid, Spain",
        summary="Product designer for fintech apps used by millions.",
        jobs=[
            Job(
                "Lead Product Designer",
                "Lumen Studio",
                "September 2021 – Present",
                ["Redesigned onboarding; sign-ups up 18%."],
            ),
            Job("Product Designer", "Banco Aurora", "May 2017 – August 2021"),
            Job("UX Intern", "Lumen Studio", "January 2016 – April 2017"),
        ],
        schools=[
            School("Máster en Diseño de Interacción", "Universidad Complutense de Madrid", 2016)
        ],
        skills_written=["Figma", "Sketch", "Prototyping", "Wireframing", "Accessibility"],
        skills={"Figma", "Sketch", "Prototyping", "Wireframing", "Accessibility"},
        years=10,
        portfolio="https://sofianunez.design",
        linkedin="linkedin.com/in/sofianunez",
    ),
    Person(
        key="lukasz",
        first_name="Łukasz",
        last_name="Wróbel",
        email="lukasz.wrobel@example.pl",
        phone_written="+48 601 234 567",
        phone="+48601234567",
        location="Warsaw, Poland",
        summary="DevOps engineer; infrastructure as code since 2013.",
        jobs=[
            Job(
                "DevOps Engineer",
                "Northwind Systems",
                "2018 – Present",
                ["Moved 40 services to Kubernetes on AWS."],
            ),
            Job("Systems Administrator", "Wisła Software", "2012 – 2018"),
        ],
        schools=[School("BEng Computer Engineering", "Warsaw University of Technology", 2012)],
        skills_written=["Go", "Terraform", "AWS", "Docker", "Kubernetes", "Linux"],
        skills={
            "Go",
            "Terraform",
            "Amazon Web Services",
            "Docker",
            "Kubernetes",
            "Linux",
            "Infrastructure as Code",
        },
        years=14,
        github="https://github.com/lwrobel",
        unicode_only=True,
    ),
    Person(
        key="priya",
        first_name="Priya",
        last_name="Raman",
        email="priya.raman@example.co.uk",
        phone_written="+44 7911 123456",
        phone="+447911123456",
        location="London, UK",
        summary="Emergency nurse with eight years on busy wards.",
        jobs=[
            Job(
                "Registered Nurse",
                "St Mary's Hospital",
                "Feb 2018 – Present",
                ["Triage lead on night shifts.", "Trained new staff on Epic."],
            ),
            Job("Healthcare Assistant", "Riverside Clinic", "Jul 2017 – Jan 2018"),
        ],
        schools=[School("BSc Nursing", "King's College London", 2017)],
        skills_written=["ACLS", "Phlebotomy", "Triage", "Epic", "Dialysis"],
        skills={"ACLS", "Phlebotomy", "Triage", "Epic EHR", "Dialysis"},
        years=8,
    ),
    Person(
        key="zoe",
        first_name="Zoë",
        last_name="O'Brien",
        email="zoe.obrien@example.ie",
        phone_written="+353 87 123 4567",
        phone="+353871234567",
        location="Dublin, Ireland",
        summary="Financial analyst: models, budgets and the stories behind them.",
        jobs=[
            Job(
                "Senior Financial Analyst",
                "Harbor Capital Partners",
                "Apr 2020 – Present",
                ["Built the three-statement model used in every board pack."],
            ),
            Job("Financial Analyst", "Emerald Bank", "Sep 2016 – Mar 2020"),
        ],
        schools=[
            School("MBA", "Trinity College Dublin", 2016),
            School("BA Economics", "University College Cork", 2014),
        ],
        skills_written=["Excel", "SQL", "Tableau", "Budgeting", "Forecasting", "VBA"],
        skills={"Microsoft Excel", "SQL", "Tableau", "Budgeting", "Forecasting", "VBA"},
        years=9,
        linkedin="https://linkedin.com/in/zoe-obrien/",
        name_label=True,
    ),
]
# Two written apart from the parser, in the habits of other places: ISO
# dates, no skills section, prose, French headings and job titles.
PEOPLE += [
    Person(
        key="kwame",
        first_name="Kwame",
        last_name="Mensah",
        email="kwame.mensah@example.com",
        phone_written="(415) 555-0132",
        phone="+14155550132",
        location="San Francisco, CA",
        summary=(
            "Account executive who closed six-figure deals with Salesforce and HubSpot "
            "as the system of record, and who trained the team on MEDDIC."
        ),
        jobs=[
            Job(
                "Account Executive",
                "Brightline",
                "2021-03 – present",
                ["Closed $2.1M in new business in 2024.", "Negotiation coach for new hires."],
            ),
            Job("Sales Development Representative", "Orbit Freight", "2018-06 – 2021-02"),
        ],
        schools=[School("B.A. in Communications", "University of Ghana", 2013)],
        skills_written=[],
        skills={"Salesforce CRM", "HubSpot", "MEDDIC"},
        years=7,
    ),
    Person(
        key="chloe",
        first_name="Chloé",
        last_name="Dubois",
        email="chloe.dubois@example.fr",
        phone_written="+33 6 12 34 56 78",
        phone="+33612345678",
        location="Lyon, France",
        summary="Développeuse passionnée par les interfaces rapides et accessibles.",
        jobs=[
            Job(
                "Développeuse Full-Stack",
                "Octave",
                "janv. 2020 – aujourd'hui",
                ["Refonte du front en React et TypeScript."],
            ),
            Job("Développeuse web", "Atelier Numérique", "sept. 2017 – déc. 2019"),
        ],
        schools=[School("Master Informatique", "Université de Lyon", 2017)],
        skills_written=["React", "TypeScript", "Node.js", "PostgreSQL"],
        skills={"React", "TypeScript", "Node.js", "PostgreSQL"},
        years=8,
    ),
]
FRENCH = {
    "Summary": "Profil",
    "Experience": "Expérience professionnelle",
    "Professional experience": "Expérience professionnelle",
    "Education": "Formation",
    "Skills": "Compétences",
    "Technical skills": "Compétences",
    "Contact": "Contact",
    "Profile": "Profil",
}
PEOPLE_BY_KEY = {p.key: p for p in PEOPLE}


# --- the words of a résumé, in reading order


def contact_lines(person: Person, *, narrow: bool = False) -> list[str]:
    if narrow:  # a sidebar: one thing a line
        lines = [person.location, person.email, person.phone_written]
    else:
        lines = [person.location, f"{person.email} | {person.phone_written}"]
    lines += [url.removeprefix("https://") for url in person.links]
    return lines


def job_lines(job: Job, style: str) -> list[str]:
    if style == "inline":  # Title — Company, dates on the next line
        head = [f"{job.title} — {job.company}", job.dates]
    elif style == "company_first":
        head = [job.company, f"{job.title} | {job.dates}"]
    else:  # "at": Title at Company (dates)
        head = [f"{job.title} at {job.company} ({job.dates})"]
    return head + [f"• {b}" for b in job.bullets]


def school_lines(school: School) -> list[str]:
    return [f"{school.degree}, {school.school}, {school.year}"]


def name_line(person: Person, *, capitals: bool = False) -> str:
    name = person.full_name.upper() if capitals else person.full_name
    return f"Name: {name}" if person.name_label else name


def heading(text: str, capitals: bool, person: Person | None = None) -> str:
    if person is not None and person.key == "chloe":
        text = FRENCH.get(text, text)
    return text.upper() if capitals else text


# --- PDF


def _pdf() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(2026, 1, 15, tzinfo=dt.UTC))  # the same bytes every time
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    return pdf


def _write(pdf: FPDF, text: str, *, size: int = 10, bold: bool = False, width: float = 0) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", size)
    pdf.multi_cell(width, size * 0.5, text, new_x="LEFT", new_y="NEXT")


def pdf_one_column(person: Person, *, capitals: bool = False, style: str = "inline") -> bytes:
    pdf = _pdf()
    _write(pdf, name_line(person, capitals=capitals), size=20, bold=True)
    for line in contact_lines(person):
        _write(pdf, line)
    pdf.ln(3)
    _write(pdf, heading("Summary", capitals, person), size=13, bold=True)
    _write(pdf, person.summary)
    _write(pdf, heading("Experience", capitals, person), size=13, bold=True)
    for job in person.jobs:
        for line in job_lines(job, style):
            _write(pdf, line)
        pdf.ln(2)
    _write(pdf, heading("Education", capitals, person), size=13, bold=True)
    for school in person.schools:
        for line in school_lines(school):
            _write(pdf, line)
    if person.skills_written:
        _write(pdf, heading("Skills", capitals, person), size=13, bold=True)
        _write(pdf, ", ".join(person.skills_written))
    return bytes(pdf.output())


def pdf_two_columns(
    person: Person, *, capitals: bool = False, style: str = "company_first"
) -> bytes:
    """Name across the top, a sidebar (contact, skills, education) on the
    left, experience on the right."""
    pdf = _pdf()
    _write(pdf, name_line(person, capitals=capitals), size=22, bold=True)
    top = pdf.get_y() + 4
    pdf.set_xy(10, top)
    sidebar = 60
    _write(pdf, heading("Contact", capitals, person), size=12, bold=True, width=sidebar)
    for line in contact_lines(person, narrow=True):
        _write(pdf, line, size=9, width=sidebar)
    pdf.ln(3)
    if person.skills_written:
        _write(pdf, heading("Skills", capitals, person), size=12, bold=True, width=sidebar)
    for skill in person.skills_written:
        _write(pdf, skill, size=9, width=sidebar)
    pdf.ln(3)
    _write(pdf, heading("Education", capitals, person), size=12, bold=True, width=sidebar)
    for school in person.schools:
        _write(pdf, school.degree, size=9, width=sidebar)
        _write(pdf, school.school, size=9, width=sidebar)
        _write(pdf, str(school.year), size=9, width=sidebar)
    pdf.set_xy(80, top)
    pdf.set_left_margin(80)
    _write(pdf, heading("Profile", capitals, person), size=12, bold=True)
    _write(pdf, person.summary)
    pdf.ln(2)
    _write(pdf, heading("Experience", capitals, person), size=12, bold=True)
    for job in person.jobs:
        for line in job_lines(job, style):
            _write(pdf, line)
        pdf.ln(2)
    return bytes(pdf.output())


# --- DOCX


def _docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_one_column(
    person: Person,
    *,
    capitals: bool = False,
    style: str = "at",
    skills_table: bool = False,
    name_in_header: bool = False,
) -> bytes:
    document = docx.Document()
    if name_in_header:
        document.sections[0].header.paragraphs[0].text = name_line(person, capitals=capitals)
    else:
        title = document.add_paragraph()
        run = title.add_run(name_line(person, capitals=capitals))
        run.bold = True
        run.font.size = Pt(20)
    for line in contact_lines(person):
        document.add_paragraph(line)
    document.add_heading(heading("Summary", capitals, person), level=1)
    document.add_paragraph(person.summary)
    document.add_heading(heading("Professional experience", capitals, person), level=1)
    for job in person.jobs:
        for line in job_lines(job, style):
            if line.startswith("• "):
                document.add_paragraph(line[2:], style="List Bullet")
            else:
                document.add_paragraph(line)
    document.add_heading(heading("Education", capitals, person), level=1)
    for school in person.schools:
        for line in school_lines(school):
            document.add_paragraph(line)
    if person.skills_written:
        document.add_heading(heading("Technical skills", capitals, person), level=1)
    if skills_table and person.skills_written:
        columns = 3
        rows = -(-len(person.skills_written) // columns)
        table = document.add_table(rows=rows, cols=columns)
        for index, skill in enumerate(person.skills_written):
            table.cell(index // columns, index % columns).text = skill
    elif person.skills_written:
        document.add_paragraph(", ".join(person.skills_written))
    return _docx_bytes(document)


def docx_two_columns(person: Person, *, capitals: bool = False) -> bytes:
    """A two-cell table, as Word templates lay out a sidebar."""
    document = docx.Document()
    name = document.add_paragraph()
    name.add_run(name_line(person, capitals=capitals)).bold = True
    table = document.add_table(rows=1, cols=2)
    side, main = table.cell(0, 0), table.cell(0, 1)
    side.paragraphs[0].text = heading("Contact", capitals, person)
    for line in contact_lines(person, narrow=True):
        side.add_paragraph(line)
    if person.skills_written:
        side.add_paragraph(heading("Skills", capitals, person))
    for skill in person.skills_written:
        side.add_paragraph(skill)
    main.paragraphs[0].text = heading("Profile", capitals, person)
    main.add_paragraph(person.summary)
    main.add_paragraph(heading("Experience", capitals, person))
    for job in person.jobs:
        for line in job_lines(job, "inline"):
            main.add_paragraph(line.removeprefix("• "))
    main.add_paragraph(heading("Education", capitals, person))
    for school in person.schools:
        main.add_paragraph(f"{school.school} — {school.degree} ({school.year})")
    return _docx_bytes(document)


# Every layout the accuracy report covers: (name, maker, kind, suffix).
Maker = Callable[[Person], bytes]
LAYOUTS: list[tuple[str, Maker, str]] = [
    ("pdf one column", lambda p: pdf_one_column(p), "pdf"),
    ("pdf capitals", lambda p: pdf_one_column(p, capitals=True, style="at"), "pdf"),
    ("pdf two columns", lambda p: pdf_two_columns(p), "pdf"),
    ("docx one column", lambda p: docx_one_column(p), "docx"),
    ("docx skills table", lambda p: docx_one_column(p, skills_table=True, style="inline"), "docx"),
    ("docx capitals, header", lambda p: docx_one_column(p, capitals=True, name_in_header=True, style="company_first"), "docx"),
    ("docx two columns", lambda p: docx_two_columns(p), "docx"),
]  # fmt: skip


def samples() -> list[tuple[str, Person, str, bytes]]:
    """(layout, person, file name, bytes) for every person in every layout
    their letters allow."""
    out = []
    for layout, make, suffix in LAYOUTS:
        for person in PEOPLE:
            if person.unicode_only and suffix == "pdf":
                continue
            name = f"{person.key}-{layout.replace(' ', '-').replace(',', '')}.{suffix}"
            out.append((layout, person, name, make(person)))
    return out


# --- résumés given as plain text, each with what a careful reader takes
# from it; written as PDF and DOCX by `text_pdf` and `text_docx`.


@dataclass
class HeldOut:
    key: str
    text: str
    name: tuple[str, str]
    email: str
    phone: str
    links: dict[str, str]  # linkedin, github, portfolio as the profile would keep them
    skills: set[str]
    title: str
    company: str
    education: list[tuple[str, str, int]]  # degree, school, year
    years: int


# Formerly held out: written after the parser, in other people's habits, and
# held out until the reader was taught what they missed (a name on a line of
# contact details, date-first lines, Portuguese months and titles). Now tuned
# against, so their accuracy is reported apart from both the samples and the
# held-out batch.
FORMERLY_HELD_OUT = [
    HeldOut(
        key="daniel",
        text="""Daniel Okafor
Lagos, Nigeria | daniel.okafor@example.com | +234 803 123 4567
linkedin.com/in/danielokafor

PROFILE
Mobile developer with a focus on offline-first apps for low-bandwidth markets.

WORK EXPERIENCE
Kobo Payments Ltd — Lagos
Senior Android Developer
Oct 2020 - Present
- Rebuilt the merchant app in Kotlin with Jetpack Compose.
- Cut the crash rate by 60% with Firebase Crashlytics.

Andela — Remote
Software Engineer
Jun 2017 - Sep 2020
- Built React Native apps for clients in the US.

EDUCATION
University of Lagos
B.Sc. Computer Science, 2016

SKILLS
Kotlin · Java · Android · React Native · Firebase · Git""",
        name=("Daniel", "Okafor"),
        email="daniel.okafor@example.com",
        phone="+2348031234567",
        links={"linkedin": "https://www.linkedin.com/in/danielokafor"},
        skills={
            "Kotlin",
            "Java",
            "Android Development",
            "React Native",
            "Firebase",
            "Git",
            "Jetpack Compose",
        },
        title="Senior Android Developer",
        company="Kobo Payments Ltd",
        education=[("B.Sc. Computer Science", "University of Lagos", 2016)],
        years=8,
    ),
    HeldOut(
        key="rachel",
        text="""RACHEL KIM
(212) 555-0187 • rachel.kim@example.com • New York, NY
github.com/rkim-data

SUMMARY
Data engineer with 6 years of experience building batch and streaming pipelines.

EXPERIENCE
Data Engineer, Lattice Health, New York, NY 2022 – Present
• Built Airflow DAGs moving 2 TB/day into Snowflake.
• Migrated legacy ETL from SSIS to dbt.
Junior Data Engineer, Cobalt Insurance Group, Hartford, CT 2019 – 2022
• Wrote Spark jobs in Scala and Python.

EDUCATION
B.S. Mathematics, Rutgers University, 2019

TECHNICAL SKILLS
Languages: Python, Scala, SQL
Tools: Airflow, Spark, dbt, Snowflake, Docker""",
        name=("Rachel", "Kim"),
        email="rachel.kim@example.com",
        phone="+12125550187",
        links={"github": "https://github.com/rkim-data"},
        skills={
            "Python",
            "Scala",
            "SQL",
            "Apache Airflow",
            "Apache Spark",
            "dbt",
            "Snowflake",
            "Docker",
            "ETL",
        },
        title="Data Engineer",
        company="Lattice Health",
        education=[("B.S. Mathematics", "Rutgers University", 2019)],
        years=7,
    ),
    HeldOut(
        key="mariana",
        text="""Mariana Alves Ferreira
Enfermeira
Porto, Portugal · mariana.ferreira@example.pt · 912 345 678

Experiência profissional
Enfermeira de Cuidados Intensivos — Hospital de Santo António
março 2019 – atual
Enfermeira — Centro de Saúde da Boavista
setembro 2015 – fevereiro 2019

Formação
Licenciatura em Enfermagem, Escola Superior de Enfermagem do Porto, 2015

Competências
Triagem de Manchester, ACLS, Cuidados intensivos, Epic""",
        name=("Mariana", "Alves Ferreira"),
        email="mariana.ferreira@example.pt",
        phone="+351912345678",
        links={},
        skills={"ACLS", "Epic EHR"},
        title="Enfermeira de Cuidados Intensivos",
        company="Hospital de Santo António",
        education=[("Licenciatura em Enfermagem", "Escola Superior de Enfermagem do Porto", 2015)],
        years=10,
    ),
    HeldOut(
        key="tom",
        text="""Tom Becker | Berlin | tom.becker@example.de | +49 151 23456789 | tombecker.io
Backend developer (Go, PostgreSQL, Kafka)
2021–today Backend Developer at Kiezkauf GmbH
2018–2021 Werkstudent Software Engineering, Nordbyte AG
TU Berlin, M.Sc. Informatik (2020)""",
        name=("Tom", "Becker"),
        email="tom.becker@example.de",
        phone="+4915123456789",
        links={"portfolio": "https://tombecker.io"},
        skills={"Go", "PostgreSQL", "Apache Kafka"},
        title="Backend Developer",
        company="Kiezkauf GmbH",
        education=[("M.Sc. Informatik", "TU Berlin", 2020)],
        years=8,
    ),
]

# Development texts: written while teaching the reader the habits below, so
# their figures show those habits are kept, not how well it reads the world.
DEVELOPMENT_TEXTS = [
    HeldOut(
        key="nora",
        text="""Nora Lindqvist • Stockholm, Sweden • nora.lindqvist@example.se • +46 70 123 45 67
Product manager (Jira, SQL, Confluence)
maj 2020 – idag   Senior Product Manager, Fjällkod AB
aug. 2016 – apr. 2020   Product Owner @ Norrsken Media
Stockholms universitet, M.Sc. Computer Science (2016)""",
        name=("Nora", "Lindqvist"),
        email="nora.lindqvist@example.se",
        phone="+46701234567",
        links={},
        skills={"Jira", "SQL", "Confluence"},
        title="Senior Product Manager",
        company="Fjällkod AB",
        education=[("M.Sc. Computer Science", "Stockholms universitet", 2016)],
        years=9,
    ),
    HeldOut(
        key="chidinma",
        text="""Curriculum Vitae
OKONKWO, Chidinma A.
Manchester | chidinma.okonkwo@example.co.uk | 07812 345678
Senior Accountant (ACCA)

Career
01/2020 – present   Senior Accountant — Pennine Ledger Ltd
06/2015 – 12/2019   Accounts Assistant — Hartley & Shaw LLP

Qualifications
BSc Accounting and Finance, University of Leeds, 2015

Skills: Xero, Excel, IFRS, month-end close""",
        name=("Chidinma", "Okonkwo"),
        email="chidinma.okonkwo@example.co.uk",
        phone="+447812345678",
        links={},
        skills={"Xero", "Microsoft Excel", "IFRS", "Month-End Close", "ACCA"},
        title="Senior Accountant",
        company="Pennine Ledger Ltd",
        education=[("BSc Accounting and Finance", "University of Leeds", 2015)],
        years=10,
    ),
    HeldOut(
        key="lotte",
        text="""Lotte de Vries                          Data Analyst
lotte.devries@example.nl                +31 6 23456789
Rotterdam

WERKERVARING                            VAARDIGHEDEN
Data Analist                            Python
Havenstad Logistiek B.V.                SQL
maart 2021 – heden                      Power BI
Dashboards voor de planning.            Tableau
Junior Analist
Gemeente Rotterdam                      OPLEIDING
september 2018 – februari 2021          MSc Econometrie
                                        Erasmus Universiteit Rotterdam, 2018""",
        name=("Lotte", "de Vries"),
        email="lotte.devries@example.nl",
        phone="+31623456789",
        links={},
        skills={"Python", "SQL", "Power BI", "Tableau"},
        title="Data Analist",
        company="Havenstad Logistiek B.V.",
        education=[("MSc Econometrie", "Erasmus Universiteit Rotterdam", 2018)],
        years=7,
    ),
    HeldOut(
        key="markus",
        text="""LEBENSLAUF

Dipl.-Ing. Markus Hartmann
Königstraße 8, 70173 Stuttgart
markus.hartmann@example.de · 0711 9876543

BERUFLICHER WERDEGANG
seit 01/2019      Projektleiter Elektromobilität, Schwabentech GmbH
                  Leitung eines Teams von 8 Ingenieuren.
07/2012 – 12/2018 Entwicklungsingenieur, Neckarwerk AG, Esslingen
                  Simulation und Auslegung in MATLAB.

AUSBILDUNG
2006 – 2012       Diplom Maschinenbau, Universität Stuttgart

KENNTNISSE
MATLAB, Six Sigma, Lean""",
        name=("Markus", "Hartmann"),
        email="markus.hartmann@example.de",
        phone="+497119876543",
        links={},
        skills={"MATLAB", "Six Sigma", "Lean Manufacturing"},
        title="Projektleiter Elektromobilität",
        company="Schwabentech GmbH",
        education=[("Diplom Maschinenbau", "Universität Stuttgart", 2012)],
        years=13,
    ),
    HeldOut(
        key="margaret",
        text="""Résumé

Margaret A. Whitfield
Boston, MA | (617) 555-0199 | margaret.whitfield@example.com

Chief Financial Officer, Harborview Medical Group
Jan. 2016 to Present
Led a $400M budget through IPO readiness and SOX compliance.

Vice President of Finance, Atlantic Shipping Corp.
Mar. 2008 to Dec. 2015

Controller, Beacon Hill Partners
Sept. 1999 to Feb. 2008

MBA, Boston College, 1999
B.A. Economics, Tufts University, 1996""",
        name=("Margaret", "Whitfield"),
        email="margaret.whitfield@example.com",
        phone="+16175550199",
        links={},
        skills={"SOX Compliance"},
        title="Chief Financial Officer",
        company="Harborview Medical Group",
        education=[("MBA", "Boston College", 1999), ("B.A. Economics", "Tufts University", 1996)],
        years=26,
    ),
    HeldOut(
        key="beatriz",
        text="""Beatriz Souza Lima
Desenvolvedora Front-end
Recife - PE | (81) 98765-4321 | beatriz.lima@example.com.br | github.com/biasouza

EXPERIÊNCIA
Desenvolvedora Front-end na Mangue Digital
mar/2021 – atual
Aplicações em React, TypeScript e Next.js.
Estagiária de Desenvolvimento no Porto Tech Lab
jul/2019 – fev/2021

FORMAÇÃO
Bacharelado em Ciência da Computação – Universidade Federal de Pernambuco (2020)

HABILIDADES
React, TypeScript, Next.js, JavaScript, Git, Figma""",
        name=("Beatriz", "Souza Lima"),
        email="beatriz.lima@example.com.br",
        phone="+5581987654321",
        links={"github": "https://github.com/biasouza"},
        skills={"React", "TypeScript", "Next.js", "JavaScript", "Git", "Figma"},
        title="Desenvolvedora Front-end",
        company="Mangue Digital",
        education=[
            (
                "Bacharelado em Ciência da Computação",
                "Universidade Federal de Pernambuco",
                2020,
            )
        ],
        years=6,
    ),
]


# --- the second held-out batch: written before the parser was taught the
# first batch's habits, in habits neither the samples nor the first batch
# have (French, Spanish, Italian and German CVs, "Lastname, Firstname", a
# particle, a middle initial, a "Dr." before the name, a "Curriculum Vitae",
# "Lebenslauf" or "Résumé" first line, a two-column export flattened to text,
# no section headings, "Title @ Company", "since" dates, a career of 24
# years). Never tuned against: its figures are the honest ones.

HELD_OUT_2 = [
    HeldOut(
        key="camille",
        text="""Camille Lefèvre
Cheffe de projet digital
12 rue des Lilas, 69003 Lyon · 06 12 34 56 78 · camille.lefevre@example.fr
linkedin.com/in/camille-lefevre

EXPÉRIENCES PROFESSIONNELLES

Depuis mars 2021 — Cheffe de projet digital, Maison Verlaine (Lyon)
Pilotage de la refonte du site e-commerce et des campagnes Google Ads.
Suivi des indicateurs dans Looker et animation des rituels Scrum.

Sept. 2017 - févr. 2021 — Chargée de marketing digital, Agence Tilleul
Campagnes SEO et SEM pour douze clients, newsletters sous HubSpot.

FORMATION
2017 Master Marketing digital, IAE Lyon
2015 Licence Économie-Gestion, Université Lumière Lyon 2

COMPÉTENCES
Google Ads, SEO, SEM, HubSpot, Looker, Scrum, Jira, Canva

LANGUES
Français (langue maternelle), anglais (C1), espagnol (B2)""",
        name=("Camille", "Lefèvre"),
        email="camille.lefevre@example.fr",
        phone="+33612345678",
        links={"linkedin": "https://www.linkedin.com/in/camille-lefevre"},
        skills={"Google Ads", "SEO", "SEM", "HubSpot", "Looker", "Scrum", "Jira", "Canva"},
        title="Cheffe de projet digital",
        company="Maison Verlaine",
        education=[
            ("Master Marketing digital", "IAE Lyon", 2017),
            ("Licence Économie-Gestion", "Université Lumière Lyon 2", 2015),
        ],
        years=8,
    ),
    HeldOut(
        key="lucia",
        text="""GARCÍA LÓPEZ, Lucía
Ingeniera de Datos
Calle de Alcalá 120, 28009 Madrid
Tel.: 612 345 678 | lucia.garcia@example.es
github.com/luciagarcia

PERFIL PROFESIONAL
Ingeniera de datos con experiencia en plataformas en la nube y procesos ETL.

EXPERIENCIA LABORAL
04/2023 – actualidad   Ingeniera de Datos Senior · Datavia Soluciones S.L.
    Diseño de pipelines en Apache Airflow y dbt sobre BigQuery.
01/2019 – 03/2023   Analista de Datos · Banco Meridiano
    Informes en Power BI y SQL para el área de riesgos.

FORMACIÓN ACADÉMICA
2014 – 2018   Grado en Ingeniería Informática, Universidad Politécnica de Madrid

HABILIDADES
Python, SQL, Apache Airflow, dbt, BigQuery, Power BI, Docker
Idiomas: español (nativo), inglés (C1)""",
        name=("Lucía", "García López"),
        email="lucia.garcia@example.es",
        phone="+34612345678",
        links={"github": "https://github.com/luciagarcia"},
        skills={"Python", "SQL", "Apache Airflow", "dbt", "BigQuery", "Power BI", "Docker", "ETL"},
        title="Ingeniera de Datos Senior",
        company="Datavia Soluciones S.L.",
        education=[("Grado en Ingeniería Informática", "Universidad Politécnica de Madrid", 2018)],
        years=7,
    ),
    HeldOut(
        key="sanne",
        text="""Sanne van der Meer
UX Researcher
CONTACT                         WORK EXPERIENCE
sanne.vandermeer@example.nl     Senior UX Researcher
+31 6 12345678                  Polderlink B.V., Utrecht
Utrecht, the Netherlands        Jan. 2019 to Present
                                Ran 150 moderated sessions a year and built the
SKILLS                          research repository the product teams search.
User Research                   UX Researcher
Usability Testing               Kaasfabriek Digital
Figma                           Sep. 2015 to Dec. 2018
Miro                            Card sorts and A/B testing for the web shop.
A/B Testing
                                EDUCATION
LANGUAGES                       MSc Human-Technology Interaction
Dutch, English, German          Eindhoven University of Technology, 2015""",
        name=("Sanne", "van der Meer"),
        email="sanne.vandermeer@example.nl",
        phone="+31612345678",
        links={},
        skills={"User Research", "Usability Testing", "Figma", "Miro", "A/B Testing"},
        title="Senior UX Researcher",
        company="Polderlink B.V.",
        education=[
            ("MSc Human-Technology Interaction", "Eindhoven University of Technology", 2015)
        ],
        years=10,
    ),
    HeldOut(
        key="robert",
        text="""Robert M. Chen
Seattle, WA · robert.chen@example.com · (206) 555-0148 · linkedin.com/in/robertmchen

Engineering leader with 24 years of experience building platforms and the teams behind them.

VP of Engineering @ Cascade Freight (2019 – Present)
Grew the engineering organization from 25 to 140 people across four time zones.
Moved the platform from a monolith to microservices on AWS and Kubernetes.

Director of Engineering @ Evergreen Payments (2012 – 2019)
Led the payments, risk and ledger teams through a yearly card-industry audit.

Engineering Manager @ Sound Software Inc. (2007 – 2012)
Software Engineer @ Microsoft (2002 – 2007)
Wrote Java and C# services for the Windows update pipeline.

B.S. Computer Science, University of Washington, 2002
Java, C#, AWS, Kubernetes, Terraform, Agile""",
        name=("Robert", "Chen"),
        email="robert.chen@example.com",
        phone="+12065550148",
        links={"linkedin": "https://www.linkedin.com/in/robertmchen"},
        skills={
            "Java",
            "C#",
            "Amazon Web Services",
            "Kubernetes",
            "Terraform",
            "Agile",
            "Microservices",
        },
        title="VP of Engineering",
        company="Cascade Freight",
        education=[("B.S. Computer Science", "University of Washington", 2002)],
        years=24,
    ),
    HeldOut(
        key="giulia",
        text="""Curriculum Vitae

Giulia De Santis
Via Torino 45, 20123 Milano
+39 347 123 4567 — giulia.desantis@example.it

ESPERIENZA PROFESSIONALE
Sviluppatrice Backend — Fincredit S.p.A., Milano
settembre 2018 – oggi
Microservizi in Java e Spring Boot; migrazione a PostgreSQL.

Programmatrice Junior — Softlab S.r.l., Torino
gennaio 2015 – agosto 2018
Manutenzione di applicazioni PHP e MySQL.

ISTRUZIONE
Laurea Magistrale in Informatica, Politecnico di Torino, 2014

COMPETENZE
Java, Spring Boot, PostgreSQL, PHP, MySQL, Docker, Git

LINGUE
Italiano (madrelingua), Inglese (B2)""",
        name=("Giulia", "De Santis"),
        email="giulia.desantis@example.it",
        phone="+393471234567",
        links={},
        skills={"Java", "Spring Boot", "PostgreSQL", "PHP", "MySQL", "Docker", "Git"},
        title="Sviluppatrice Backend",
        company="Fincredit S.p.A.",
        education=[("Laurea Magistrale in Informatica", "Politecnico di Torino", 2014)],
        years=11,
    ),
    HeldOut(
        key="katrin",
        text="""Lebenslauf

Dr. Katrin Hofmann
Mainzer Straße 12, 65185 Wiesbaden
Telefon: 0611 2345678 | E-Mail: katrin.hofmann@example.de

Berufserfahrung
seit 04/2020    Leiterin Qualitätssicherung, Rheinwerk Pharma GmbH, Mainz
                Verantwortung für GMP-Audits und CAPA-Prozesse, Team von 12 Personen.
10/2014 – 03/2020    Laborleiterin, BioAnalytik Hessen GmbH, Frankfurt am Main
                HPLC-Methodenentwicklung und Validierung nach ISO 17025.

Ausbildung
2010 – 2014    Promotion (Dr. rer. nat.) in Chemie, Johannes Gutenberg-Universität Mainz
2005 – 2010    Diplom Chemie, Universität Heidelberg

Kenntnisse
Six Sigma, ISO 9001, SAP, Projektmanagement, Englisch (verhandlungssicher)""",
        name=("Katrin", "Hofmann"),
        email="katrin.hofmann@example.de",
        phone="+496112345678",
        links={},
        skills={"Six Sigma", "ISO 9001"},
        title="Leiterin Qualitätssicherung",
        company="Rheinwerk Pharma GmbH",
        education=[
            ("Promotion (Dr. rer. nat.) in Chemie", "Johannes Gutenberg-Universität Mainz", 2014),
            ("Diplom Chemie", "Universität Heidelberg", 2010),
        ],
        years=11,
    ),
    HeldOut(
        key="aisha",
        text="""RÉSUMÉ
Aisha Rahman
Marketing Manager
Sydney NSW · 0412 345 678 · aisha.rahman@example.com.au · aisharahman.com.au

CAREER HISTORY
Koala Sleep Pty Ltd | Marketing Manager | July 2020 – Now
Own a $3M annual budget across Google Ads, Meta and email marketing.
Ran A/B testing on every landing page; grew organic traffic 70% through SEO.
Bondi Brew Co. | Digital Marketing Coordinator | Feb 2017 – June 2020
Content marketing and social campaigns; reporting in Google Analytics and Excel.

EDUCATION
Bachelor of Business (Marketing), University of Technology Sydney, 2016

KEY SKILLS
SEO · Google Ads · Content Marketing · Email Marketing · HubSpot · Excel · A/B Testing""",
        name=("Aisha", "Rahman"),
        email="aisha.rahman@example.com.au",
        phone="+61412345678",
        links={"portfolio": "https://aisharahman.com.au"},
        skills={
            "SEO",
            "Google Ads",
            "Content Marketing",
            "Email Marketing",
            "HubSpot",
            "Microsoft Excel",
            "A/B Testing",
        },
        title="Marketing Manager",
        company="Koala Sleep Pty Ltd",
        education=[("Bachelor of Business (Marketing)", "University of Technology Sydney", 2016)],
        years=9,
    ),
]


def text_pdf(text: str) -> bytes:
    pdf = _pdf()
    for line in text.split("\n"):
        _write(pdf, line or " ")
    return bytes(pdf.output())


def text_docx(text: str) -> bytes:
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    return _docx_bytes(document)
