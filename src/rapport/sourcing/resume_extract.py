"""What a résumé's text says about its person, each finding with a confidence.

`extract(text, skills=..., region=..., today=...)` reads the text that
`resumes.read_resume` produced and returns an `Extraction`: the name (from
the top lines), emails, phones (phonenumbers, read in the candidate's
country when known), LinkedIn, GitHub and portfolio links, skills (against
the skill vocabulary and its aliases), the current title and company,
education entries and years of experience (from the date ranges of the
experience section). Nothing here writes anything: a person confirms what
is kept (`resume_services.resume_confirm`).

A confidence is a number from 0 to 1 that says how sure the reading is,
not a probability anyone measured: about 0.9 when the text says it plainly
(an address, a name on the first line, a skill listed under "Skills"),
about 0.6 when it is a guess from layout (a title next to a date range
without "Present", a skill mentioned in passing). The page shows them as
high (≥ 0.8), medium (≥ 0.5) and low.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import phonenumbers

from rapport.core.contacts import canonical_profile_url, normalize_email
from rapport.core.geo import countries
from rapport.core.text import fold

HIGH = 0.8
MEDIUM = 0.5
MAX_READ = 40_000  # characters; about fifteen pages


def confidence_label(value: float) -> str:
    return "high" if value >= HIGH else "medium" if value >= MEDIUM else "low"


@dataclass
class Found:
    """One finding: its value, how sure, and the line it came from."""

    value: Any
    confidence: float
    line: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "confidence": round(self.confidence, 2), "line": self.line}


@dataclass
class Extraction:
    name: Found | None = None  # value: {"first_name", "last_name"}
    emails: list[Found] = field(default_factory=list)
    phones: list[Found] = field(default_factory=list)  # E.164
    linkedin_url: Found | None = None
    github_url: Found | None = None
    portfolio_url: Found | None = None
    skills: list[Found] = field(default_factory=list)  # vocabulary names
    current_title: Found | None = None
    current_company: Found | None = None
    education: list[Found] = field(default_factory=list)  # {"school", "degree", "year"}
    years_experience: Found | None = None

    def as_json(self) -> dict[str, Any]:
        """Field → {"value", "confidence"}; a list field's value is a list of
        {"value", "confidence"}, and its own confidence the highest of them."""
        out: dict[str, Any] = {}
        for name, found in asdict(self).items():
            if isinstance(found, list):
                if found:
                    items = [_rounded(f) for f in found]
                    best = max(i["confidence"] for i in items)
                    out[name] = {"value": items, "confidence": best}
            elif found is not None:
                out[name] = _rounded(found)
        return out


def _rounded(found: dict[str, Any]) -> dict[str, Any]:
    return {**found, "confidence": round(found["confidence"], 2)}


# --- the text as lines and sections

BULLET = re.compile(r"^[\s•·▪●◦‣∙○■□➢➤►▶✓✔\-*–—]+\s*")

HEADINGS: dict[str, tuple[str, ...]] = {
    "experience": (
        "experience", "work experience", "professional experience", "employment",
        "employment history", "work history", "career history", "career", "relevant experience",
        "experiencia", "experiencia profissional", "experiencia laboral", "experiencia profesional",
        "experience professionnelle", "berufserfahrung", "werdegang", "esperienza",
        "esperienza professionale", "professional background", "positions",
        "experiences", "experiences professionnelles", "parcours professionnel", "parcours",
        "beruflicher werdegang", "berufliche erfahrung", "berufspraxis", "praxiserfahrung",
        "esperienze", "esperienze professionali", "esperienza lavorativa", "trayectoria profesional",
        "experiencia profesional relevante", "historico profissional", "werkervaring", "ervaring",
        "arbetslivserfarenhet", "erfarenhet", "arbejdserfaring", "arbeidserfaring",
        "doswiadczenie", "doswiadczenie zawodowe", "work experiences", "professional experiences",
    ),
    "education": (
        "education", "academic background", "education and training", "qualifications",
        "academic qualifications", "studies", "formacao", "formacao academica", "educacao",
        "educacion", "formacion", "formacion academica", "formation", "ausbildung", "studium",
        "istruzione", "education certifications", "education and certifications",
        "formations", "diplomes", "formation et diplomes", "formazione", "istruzione e formazione",
        "titoli di studio", "bildungsweg", "schulbildung", "hochschulausbildung", "opleiding",
        "opleidingen", "utbildning", "uddannelse", "utdanning", "wyksztalcenie",
        "formacion academica y profesional", "estudios", "habilitacoes", "habilitacoes academicas",
    ),
    "skills": (
        "skills", "technical skills", "core skills", "key skills", "competencies",
        "core competencies", "technologies", "tech stack", "technical stack", "tools",
        "skills and tools", "skills tools", "tools and technologies", "expertise",
        "areas of expertise", "competencias", "habilidades", "competences", "kenntnisse",
        "fahigkeiten", "competenze", "skills and technologies", "skills technologies",
        "technical proficiencies", "proficiencies", "skill set", "skillset",
        "competences techniques", "savoir faire", "competenze tecniche", "capacita e competenze",
        "fachkenntnisse", "edv kenntnisse", "it kenntnisse", "kompetenzen", "vaardigheden",
        "kompetenser", "kompetencer", "ferdigheter", "umiejetnosci", "conocimientos",
        "aptitudes", "competencias tecnicas", "conhecimentos", "skills and expertise",
    ),
    "other": (
        "summary", "profile", "professional summary", "about", "about me", "objective",
        "projects", "personal projects", "certifications", "certificates", "languages",
        "interests", "hobbies", "publications", "awards", "honors", "references",
        "volunteering", "volunteer experience", "contact", "contact details",
        "personal details", "personal information", "achievements", "courses", "training",
        "resumo", "perfil", "sobre mim", "idiomas", "projetos", "proyectos", "profil",
        "langues", "sprachen", "links", "online", "lingue", "talen", "sprak", "jezyki",
        "perfil profesional", "perfil profissional", "resumen", "centres d interet", "loisirs",
        "interessen", "hobbys", "persoenliche daten", "personliche daten", "profiel",
        "over mij", "referenzen", "zertifikate", "certificazioni", "certificaciones",
        "certificacoes", "dati personali", "datos personales", "dados pessoais",
    ),
}  # fmt: skip
_HEADING_OF = {phrase: section for section, phrases in HEADINGS.items() for phrase in phrases}
_HEADING_WORDS = {
    **dict.fromkeys(("skills", "competences", "competencias", "kenntnisse"), "skills"),
    **dict.fromkeys(("experience", "experiences", "experiencia", "employment"), "experience"),
    **dict.fromkeys(("education", "formation", "formacion", "formacao"), "education"),
}


def heading(line: str) -> str:
    """The section a line opens ('experience', 'education', 'skills',
    'other'), or '' when it is not a heading."""
    if len(line) > 45:
        return ""
    key = " ".join(re.sub(r"[^a-z ]+", " ", fold(line)).split())
    if key in _HEADING_OF:
        return _HEADING_OF[key]
    words = key.split()
    shouty = line.isupper() or line.rstrip().endswith(":")
    if shouty and 1 <= len(words) <= 4 and not re.search(r"\d", line):
        for word in words:
            if word in _HEADING_WORDS:
                return _HEADING_WORDS[word]
    return ""


@dataclass
class Line:
    text: str
    section: str  # '' before the first heading
    index: int


def lines_of(text: str) -> list[Line]:
    out: list[Line] = []
    section = ""
    for column in columns(text.split("\n")):
        if out:
            section = ""  # a column starts afresh
        for raw in column:
            stripped = BULLET.sub("", raw.strip()).strip()
            if not stripped:
                continue
            opened = heading(stripped)
            if opened:
                section = opened
                out.append(Line(stripped, "heading:" + opened, len(out)))
                continue
            out.append(Line(stripped, section, len(out)))
    return out


def columns(raw: list[str]) -> list[list[str]]:
    """The lines in reading order. Two columns flattened side by side (each
    row `left<TAB>right`, a right cell alone indented by a tab) are read as
    the left column, then the right; they are told from a date set off to
    the right by a heading in the right column. Rows above the first
    heading (a name, a title, contact details) stay rows."""
    cells = [line.split("\t", 1) if "\t" in line else [line] for line in raw]
    first = next(
        (i for i, row in enumerate(cells) if len(row) == 2 and heading(row[1].strip())), None
    )
    if first is None:
        return [raw]
    left = [row[0] for row in cells[first:]]
    right = [row[1] for row in cells[first:] if len(row) == 2]
    return [raw[:first], left, right]


def extract(
    text: str,
    *,
    skills: SkillMatcher | None = None,
    region: str = "",
    today: dt.date | None = None,
) -> Extraction:
    """Everything this module can read from `text` (its first MAX_READ
    characters: a long résumé's details are at its start, and it bounds the
    time a hostile one can take)."""
    text = text[:MAX_READ]
    today = today or dt.date.today()
    lines = lines_of(text)
    result = Extraction()
    result.emails = find_emails(text)
    result.name = find_name(lines, result.emails)
    result.phones = find_phones(text, region=region or guess_region(lines, result.emails))
    result.linkedin_url, result.github_url, result.portfolio_url = find_links(text, skills=skills)
    if skills is not None:
        result.skills = skills.find(lines)
    result.current_title, result.current_company = find_current_job(lines, today=today)
    result.education = find_education(lines)
    result.years_experience = find_years(lines, today=today)
    return result


# --- name

PARTICLES = {
    "van", "von", "der", "den", "de", "da", "das", "do", "dos", "du", "del", "della", "di",
    "la", "le", "bin", "binti", "al", "el", "ten", "ter", "y", "e", "zu", "af",
}  # fmt: skip
NOT_NAMES = {
    "curriculum", "vitae", "resume", "cv", "profile", "contact", "page", "confidential",
    "portfolio", "personal", "information", "details", "address", "phone", "email",
    "lebenslauf", "curriculo",
}  # fmt: skip
# Written before a name and not part of it: Dr. Katrin Weber, Dipl.-Ing. Max Roth.
HONORIFICS = {
    "dr", "prof", "mr", "mrs", "ms", "mx", "miss", "dipl.-ing", "dipl-ing", "dipl.-kfm",
    "dipl.-inf", "dr.-ing", "ing", "mag", "dott", "dott.ssa", "drs", "ir", "mme", "mlle",
    "sr", "sra", "srta", "herr", "frau", "eng", "engo", "lic", "prof.-dr",
}  # fmt: skip
# A line that names the document rather than the person.
DOCUMENT_TITLES = {
    "curriculum vitae", "curriculum vitae et studiorum", "cv", "c v", "resume", "lebenslauf",
    "curriculo", "hoja de vida", "currículum vitae", "my resume", "my cv",
}  # fmt: skip
_name_word = re.compile(r"^[^\W\d_][^\W\d_'’.\-]*(?:['’\-][^\W\d_]+)*\.?$")
_initial = re.compile(r"^[^\W\d_a-z]\.?$")  # M. or M: a middle initial
_label = re.compile(r"^(?:full\s+)?(?:name|nome|nombre|nom)\s*[:\-]\s*(.+)$", re.IGNORECASE)


def _without_honorifics(words: list[str]) -> list[str]:
    while len(words) > 2 and fold(words[0]).rstrip(".") in HONORIFICS:
        words = words[1:]
    return words


def _name_words(text: str) -> list[str] | None:
    """The words of a person's name, or None when the text does not read as
    one (too many words, a title, a company, a place, lower-case words)."""
    words = _without_honorifics(text.split())
    if not 2 <= len(words) <= 5 or len(text) > 60:
        return None
    if any(fold(w).strip(".") in NOT_NAMES for w in words):
        return None
    if not all(_name_word.match(w) for w in words):
        return None
    shouting = text.isupper()
    for word in words:
        if word.lower() in PARTICLES:
            continue
        if not (word[0].isupper() or shouting):
            return None
    joined = " ".join(words)
    if title_score(joined) > 0 or company_score(joined) > 0 or is_place(joined):
        return None
    return [_as_written(w) for w in words] if shouting else words


def _as_written(word: str) -> str:
    """A word of a name in capitals as names are written: MÜLLER → Müller,
    O'BRIEN → O'Brien, VAN → van."""
    if word.lower() in PARTICLES:
        return word.lower()
    return re.sub(
        r"(['’\-])([^\W\d_])", lambda m: m.group(1) + m.group(2).upper(), word.capitalize()
    )


def _split_name(text: str) -> dict[str, str] | None:
    """First name and last name; a middle initial (Robert M. Chen) is left out."""
    words = _name_words(text)
    if words is None:
        return None
    words = [w for i, w in enumerate(words) if not (0 < i < len(words) - 1 and _initial.match(w))]
    return {"first_name": words[0], "last_name": " ".join(words[1:])}


def _reversed_name(text: str, *, first_line: bool) -> dict[str, str] | None:
    """`GARCÍA LÓPEZ, Lucía` or `Doe, Jane`: the family name first, then a
    comma and the given names. Taken when the family name is in capitals
    and the given names are not, or, on the first line, when each side
    reads as a name and the second is no place, title or degree."""
    surname, _, given = (part.strip() for part in text.partition(","))
    if not surname or not given or "," in given:
        return None
    marked = surname.isupper() and not given.isupper()
    if not marked and not (first_line and _family_first(surname, given)):
        return None
    if is_place(given) or degree_score(given) or fold(given).strip(".") in _CREDENTIALS:
        return None
    given_words = given.split()
    surname_words = surname.split()
    if len(given_words) > 3 or len(surname_words) > 3:
        return None
    words = _name_words(" ".join([*given_words, *surname_words]))
    if words is None:
        return None
    if surname.isupper():
        surname_words = [_as_written(w) for w in surname_words]
    given_words = [w for i, w in enumerate(given_words) if not (i and _initial.match(w))]
    return {"first_name": " ".join(given_words), "last_name": " ".join(surname_words)}


_CREDENTIALS = {"jr", "sr", "ii", "iii", "iv", "cpa", "acca", "cfa", "pmp", "rn", "esq", "mba"}


def _family_first(surname: str, given: str) -> bool:
    """Whether `Doe, Jane`, unmarked by capitals, has the family name first
    rather than being a whole name and what follows it (`Jane Doe, CISSP`,
    `Jane Doe, Texas`): the part before the comma is no whole name by itself
    (one word, or a family name's particle first: `van Dijk, Anna`), and the
    part after it is no abbreviation in capitals."""
    if given.replace(".", "").isupper():
        return False
    words = surname.split()
    return len(words) == 1 or words[0].lower() in PARTICLES


def find_name(lines: Sequence[Line], emails: Sequence[Found]) -> Found | None:
    """A labelled name anywhere near the top, else the first line before
    any heading that reads as a person's name (or starts with one, the
    rest of the line being contact details); a line that only names the
    document (Curriculum Vitae, Lebenslauf) is passed over."""
    email_words = {
        w for e in emails for w in re.split(r"[._\-+0-9]+", fold(str(e.value).split("@")[0])) if w
    }
    best: Found | None = None
    for line in lines[:12]:
        labelled = _label.match(line.text)
        if labelled and (parts := _split_name(labelled.group(1).strip())):
            return Found(parts, 0.95, line.text)
    top = [line for line in lines[:9] if fold(line.text).strip(" .:") not in DOCUMENT_TITLES]
    for position, line in enumerate(top[:8]):
        if line.section.startswith("heading:"):
            continue
        text, parts = _name_on(line.text, first_line=position == 0)
        if parts is None:
            continue
        confidence = 0.85 if position == 0 else 0.7 if position <= 2 else 0.55
        if text != line.text:
            confidence -= 0.1
        name_words = {fold(w) for w in re.findall(r"[^\W\d_]+", text)}
        if email_words & name_words:
            confidence += 0.1
        found = Found(parts, min(confidence, 0.97), line.text)
        if best is None or found.confidence > best.confidence:
            best = found
        if position == 0 or found.confidence >= 0.85:
            break
    return best


def _name_on(line: str, *, first_line: bool) -> tuple[str, dict[str, str] | None]:
    """(the text read as a name, its parts) from the start of a line."""
    pieces = re.split(r"\s*\t\s*|\s+[|•·–—]\s+|\s+-\s+", line)
    first = pieces[0].strip()
    if re.search(r"[@\d/]|https?:|www\.", first):
        return first, None
    if "," in first and (parts := _reversed_name(first, first_line=first_line)):
        return first, parts
    text = first.split(",")[0].strip()
    return text, _split_name(text)


# --- places (to tell a city line from a name, and to read phone numbers)

CITIES = {
    "sao paulo": "BR", "rio de janeiro": "BR", "belo horizonte": "BR", "lisbon": "PT",
    "lisboa": "PT", "porto": "PT", "madrid": "ES", "barcelona": "ES", "london": "GB",
    "manchester": "GB", "edinburgh": "GB", "berlin": "DE", "munich": "DE", "hamburg": "DE",
    "paris": "FR", "lyon": "FR", "amsterdam": "NL", "dublin": "IE", "new york": "US",
    "san francisco": "US", "seattle": "US", "austin": "US", "boston": "US", "chicago": "US",
    "toronto": "CA", "vancouver": "CA", "montreal": "CA", "warsaw": "PL", "krakow": "PL",
    "mexico city": "MX", "buenos aires": "AR", "bogota": "CO", "santiago": "CL", "rome": "IT",
    "milan": "IT", "zurich": "CH", "stockholm": "SE", "oslo": "NO", "copenhagen": "DK",
    "helsinki": "FI", "vienna": "AT", "prague": "CZ", "sydney": "AU", "melbourne": "AU",
    "bangalore": "IN", "bengaluru": "IN", "mumbai": "IN", "singapore": "SG", "tokyo": "JP",
    "recife": "BR", "curitiba": "BR", "porto alegre": "BR", "brasilia": "BR", "salvador": "BR",
    "fortaleza": "BR", "florianopolis": "BR", "campinas": "BR", "coimbra": "PT", "braga": "PT",
    "valencia": "ES", "sevilla": "ES", "seville": "ES", "bilbao": "ES", "malaga": "ES",
    "zaragoza": "ES", "marseille": "FR", "toulouse": "FR", "lille": "FR", "bordeaux": "FR",
    "nantes": "FR", "strasbourg": "FR", "cologne": "DE", "koln": "DE", "frankfurt": "DE",
    "frankfurt am main": "DE", "stuttgart": "DE", "dusseldorf": "DE", "leipzig": "DE",
    "dresden": "DE", "munchen": "DE", "nuremberg": "DE", "nurnberg": "DE", "rotterdam": "NL",
    "utrecht": "NL", "the hague": "NL", "den haag": "NL", "eindhoven": "NL", "brussels": "BE",
    "bruxelles": "BE", "antwerp": "BE", "antwerpen": "BE", "ghent": "BE", "geneva": "CH",
    "geneve": "CH", "basel": "CH", "lausanne": "CH", "milano": "IT", "roma": "IT",
    "turin": "IT", "torino": "IT", "naples": "IT", "napoli": "IT", "bologna": "IT",
    "florence": "IT", "firenze": "IT", "gothenburg": "SE", "goteborg": "SE", "malmo": "SE",
    "aarhus": "DK", "bergen": "NO", "wien": "AT", "graz": "AT", "praha": "CZ", "brno": "CZ",
    "warszawa": "PL", "wroclaw": "PL", "gdansk": "PL", "poznan": "PL", "budapest": "HU",
    "bucharest": "RO", "athens": "GR", "glasgow": "GB", "birmingham": "GB", "leeds": "GB",
    "bristol": "GB", "cork": "IE", "brisbane": "AU", "perth": "AU", "adelaide": "AU",
    "auckland": "NZ", "wellington": "NZ", "cape town": "ZA", "johannesburg": "ZA",
    "lagos": "NG", "nairobi": "KE", "cairo": "EG", "dubai": "AE", "delhi": "IN",
    "new delhi": "IN", "hyderabad": "IN", "chennai": "IN", "pune": "IN", "lima": "PE",
    "montevideo": "UY", "medellin": "CO", "guadalajara": "MX", "monterrey": "MX",
    "los angeles": "US", "san diego": "US", "washington": "US", "atlanta": "US",
    "denver": "US", "miami": "US", "philadelphia": "US", "portland": "US", "dallas": "US",
    "houston": "US", "ottawa": "CA", "calgary": "CA",
}  # fmt: skip


def _country_names() -> dict[str, str]:
    names = {fold(name): code for code, name in countries().items()}
    names.update(
        {"usa": "US", "united states": "US", "uk": "GB", "united kingdom": "GB",
         "england": "GB", "scotland": "GB", "brasil": "BR", "espana": "ES",
         "deutschland": "DE", "polska": "PL", "mexico": "MX", "the netherlands": "NL"}
    )  # fmt: skip
    return names


def is_place(text: str) -> bool:
    key = fold(text)
    return key in CITIES or key in _country_names()


def guess_region(lines: Sequence[Line], emails: Sequence[Found] = ()) -> str:
    """The country the top of the résumé names (a city or a country, with
    a postcode or a state beside it: `28009 Madrid`, `Sydney NSW`), else the
    country of the first email address's domain (`.de`, `.com.br`), to read
    phone numbers written without a country code."""
    names = _country_names()
    for line in lines[:12]:
        for part in re.split(r"[,|•·/()\t]+|\s[–—-]\s", line.text):
            key = _place_key(part)
            if key in names:
                return names[key]
            if key in CITIES:
                return CITIES[key]
    for email in emails[:1]:
        tld = str(email.value).rsplit(".", 1)[-1].lower()
        code = "GB" if tld == "uk" else tld.upper()
        if tld not in VANITY_TLDS and code in countries():
            return code
    return ""


# Country domains that people and companies use as generic ones.
VANITY_TLDS = {
    "io", "co", "me", "tv", "ai", "ly", "fm", "gg", "sh", "ac", "to", "cc", "ws", "la", "nu",
    "st", "vc", "gl", "im", "so", "is", "am", "ag", "app", "dev",
}  # fmt: skip


def _place_key(part: str) -> str:
    """A place as written beside a postcode or a state's initials, folded."""
    part = re.sub(r"\b[\dA-Z\-]*\d[\dA-Z\-]*\b", " ", part).strip()
    return fold(re.sub(r"(?<=[^\W\d_])\s+[A-Z]{2,3}$", "", part))


# --- emails, phones, links

_email = re.compile(r"(?<![\w.+\-])[\w.+'\-]+@[\w\-]+(?:\.[\w\-]+)+")


def find_emails(text: str) -> list[Found]:
    found: list[Found] = []
    for match in _email.finditer(text):
        try:
            email = normalize_email(match.group(0).rstrip(".-"))
        except Exception:  # noqa: S112  # not an address after all
            continue
        if email not in (f.value for f in found):
            found.append(Found(email, 0.95 if not found else 0.85, _line_at(text, match.start())))
    return found


def _line_at(text: str, position: int) -> str:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return text[start : end if end >= 0 else len(text)].strip()[:200]


def find_phones(text: str, *, region: str) -> list[Found]:
    found: list[Found] = []
    dates = [m.span() for m in RANGE.finditer(text)]
    matcher = phonenumbers.PhoneNumberMatcher(
        text, region.upper() or None, leniency=phonenumbers.Leniency.VALID
    )
    for match in matcher:
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if any(start < match.end and match.start < end for start, end in dates):
            continue  # 09/2016 – 05/2020 is not a number in Germany
        if e164 in (f.value for f in found):
            continue
        international = match.raw_string.lstrip("(").startswith(("+", "00"))
        found.append(Found(e164, 0.9 if international else 0.75, _line_at(text, match.start)))
    return found


_url = re.compile(
    r"(?<![@\w.\-/])((?:https?://)?(?:www\.)?(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+"
    r"[a-z]{2,24}(?::\d+)?(?:/[^\s,;|()<>\"']*)?)",
    re.IGNORECASE,
)
PERSONAL_TLDS = {
    "com", "net", "org", "io", "dev", "me", "co", "app", "ai", "tech", "site", "xyz", "info",
    "page", "design", "art", "blog", "eu", "uk", "de", "br", "pt", "es", "fr", "nl", "ca",
    "us", "pl", "it", "se", "ch", "at", "ie", "au", "in", "name", "studio", "works", "online",
    "website", "space", "codes", "cloud", "pro",
}  # fmt: skip
NOT_PORTFOLIO = (
    "linkedin.", "github.", "twitter.com", "x.com", "facebook.com", "instagram.com",
    "gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "example.", "google.com",
)  # fmt: skip
GITHUB_RESERVED = {
    "orgs", "topics", "features", "about", "pricing", "marketplace", "sponsors", "settings",
    "login", "join", "explore", "collections", "trending", "enterprise", "apps", "site",
}  # fmt: skip
_label_portfolio = re.compile(
    r"(portfolio|website|web|site|homepage|blog|personal site)\s*[:\-]", re.IGNORECASE
)


def find_links(
    text: str, *, skills: SkillMatcher | None = None
) -> tuple[Found | None, Found | None, Found | None]:
    linkedin = github = portfolio = None
    for match in _url.finditer(text):
        raw = match.group(1).rstrip(".,;:")
        lower = raw.lower()
        bare = re.sub(r"^https?://", "", lower)
        line = _line_at(text, match.start())
        if "linkedin.com/in/" in lower or "linkedin.com/pub/" in lower:
            if linkedin is None:
                linkedin = Found(canonical_profile_url(raw), 0.95, line)
        elif re.match(r"(www\.)?github\.com/", bare):
            path = [p for p in bare.split("/", 1)[1].split("/") if p]
            if github is None and path and path[0] not in GITHUB_RESERVED:
                github = Found(canonical_profile_url(raw), 0.95 if len(path) == 1 else 0.7, line)
        elif portfolio is None and not any(host in lower for host in NOT_PORTFOLIO):
            host = bare.split("/")[0].split(":")[0]
            tld = host.rsplit(".", 1)[-1]
            explicit = lower.startswith(("http://", "https://", "www."))
            if not explicit and (tld not in PERSONAL_TLDS or host.count(".") > 2):
                continue
            if skills is not None and skills.is_term(host):  # node.js, asp.net
                continue
            url = raw if lower.startswith(("http://", "https://")) else f"https://{raw}"
            labelled = bool(_label_portfolio.search(line))
            portfolio = Found(url, 0.85 if labelled else 0.6 if explicit else 0.5, line)
    return linkedin, github, portfolio


# --- skills

# Names and aliases that are also ordinary words or people's names: read only
# as list items under a skills heading, never from running text.
AMBIGUOUS = {
    "go", "swift", "rust", "express", "remix", "unity", "sketch", "outreach", "lever",
    "greenhouse", "gong", "helm", "puppet", "spring", "rails", "node", "vault", "epic",
    "closing", "lambda", "elastic", "rest", "monday", "lean", "ember", "spark", "dart",
    "julia", "ruby", "bash", "assembly", "maya", "rhino", "apex", "sandler", "bloomberg",
    "concur", "treasury", "quant", "excel", "triage", "framer", "miro", "apollo.io",
    "sourcing", "onboarding", "immigration", "purchasing", "statistics", "payroll",
    "logistics", "budgeting", "forecasting", "negotiation", "prospecting", "renewals",
    "accessibility", "illustration", "photography", "typography", "prototyping",
    "rehabilitation", "demos", "branding", "outbound", "upsell", "embedded",
}  # fmt: skip


class SkillMatcher:
    """The vocabulary as one regular expression: canonical names and aliases,
    longest first, matched case-insensitively at word edges where `+`, `#`
    and `.` count as part of a word (C++, C#, .NET, Node.js)."""

    def __init__(self, terms: Iterable[tuple[str, str]]) -> None:
        self.canonical: dict[str, str] = {}
        for term, name in terms:
            key = term.strip().lower()
            if key:
                self.canonical.setdefault(key, name)
        ordered = sorted(self.canonical, key=len, reverse=True)
        alternation = "|".join(re.escape(t) for t in ordered) or r"(?!x)x"
        self.pattern = re.compile(
            rf"(?<![\w+#.\-&])(?:{alternation})(?![\w+#&]|[.\-]\w)", re.IGNORECASE
        )

    @classmethod
    def from_database(cls) -> SkillMatcher:
        from rapport.people.models import Skill, SkillAlias

        names = list(Skill.objects.values_list("name", "name"))
        aliases = list(SkillAlias.objects.values_list("alias", "skill__name"))
        return cls(names + aliases)

    def is_term(self, text: str) -> bool:
        return text.strip().lower() in self.canonical

    def _strict(self, term: str) -> bool:
        return len(term) <= 2 or term in AMBIGUOUS

    def find(self, lines: Sequence[Line]) -> list[Found]:
        """Skills listed under a skills heading (0.9), or named in running
        text (0.6, 0.7 when named more than once)."""
        listed: dict[str, str] = {}
        mentioned: dict[str, list[str]] = {}
        for line in lines:
            in_list = line.section == "skills" or _is_skill_row(line.text)
            lists = [] if in_list else _bracketed_lists(line.text)
            for match in self.pattern.finditer(line.text):
                term = match.group(0).lower()
                name = self.canonical[term]
                if in_list or any(a <= match.start() and match.end() <= b for a, b in lists):
                    if self._strict(term) and not _whole_item(line.text, match, name):
                        continue
                    listed.setdefault(name, line.text)
                elif not self._strict(term):
                    mentioned.setdefault(name, []).append(line.text)
        found = [Found(name, 0.9, text) for name, text in listed.items()]
        for name, texts in mentioned.items():
            if name in listed:
                found[list(listed).index(name)].confidence = 0.95
            else:
                found.append(Found(name, 0.7 if len(texts) > 1 else 0.6, texts[0]))
        return found


# Labels of a list of skills on one line, besides the skills headings:
# `Stack: Go, Kafka`, `Environment: Java, Spring`.
SKILL_LABELS = {
    "stack", "tech", "tech stack", "technologies used", "tools used", "environment",
    "technical environment", "environnement", "environnement technique", "stack technique",
    "umgebung", "ambiente", "ambiente tecnico", "entorno", "entorno tecnologico",
    "tecnologias", "technologien", "tecnologie", "technologieen", "verktyg",
}  # fmt: skip


def _is_skill_row(text: str) -> bool:
    """`Skills: Python, Go`, `Stack: Go, Kafka` or `Kenntnisse | SAP, Excel`
    outside a skills section."""
    labelled = re.match(r"^([^:|]{1,40}?)\s*[:|]\s*\S", text)
    if not labelled:
        return False
    key = " ".join(re.sub(r"[^a-z ]+", " ", fold(labelled.group(1))).split())
    return _HEADING_OF.get(key) == "skills" or key in SKILL_LABELS


def _bracketed_lists(text: str) -> list[tuple[int, int]]:
    """Where a line lists things in brackets, `Backend developer (Go,
    PostgreSQL, Kafka)`: two items or more, each of a few words."""
    spans = []
    for match in re.finditer(r"[(\[]([^()\[\]]{2,200})[)\]]", text):
        items = [i.strip() for i in re.split(r"[,;/|]", match.group(1))]
        if len(items) >= 2 and all(i and len(i.split()) <= 3 for i in items):
            spans.append(match.span(1))
    return spans


_ITEM_EDGE = re.compile(r"^\s*(?:[,;|•·/()\t]|\band\b|$)", re.IGNORECASE)


def _whole_item(text: str, match: re.Match[str], name: str) -> bool:
    """Whether a short or ambiguous term stands alone as a list item (`Go,`,
    `| R |`, `C/C++`); a one-letter skill must also be written in capitals."""
    written = match.group(0)
    if len(written) == 1 and written != name:
        return False
    if len(written) >= 2 and written == name:  # `Go`, `Rust` as the vocabulary spells them
        return True
    before = text[: match.start()].rstrip(" ")
    after = text[match.end() :]
    starts = not before or before[-1] in ",;|•·/(:\t" or before.lower().endswith(" and")
    return starts and bool(_ITEM_EDGE.match(after))


# --- dates

# Month names and their usual abbreviations in English, Portuguese, Spanish,
# French, German, Italian, Dutch, the Scandinavian languages and Polish,
# folded (no accents); the text is folded before it is matched.
_MONTH_NAMES = (
    ("jan", "january", "janeiro", "enero", "ene", "janvier", "janv", "januar", "jaenner",
     "janner", "gennaio", "gen", "januari", "styczen", "stycznia", "sty"),
    ("feb", "february", "fev", "fevereiro", "febrero", "fevrier", "fevr", "februar", "febbraio",
     "februari", "luty", "lutego", "lut"),
    ("mar", "march", "marco", "marzo", "mars", "marz", "maart", "marzec", "marca", "mrt"),
    ("apr", "april", "abr", "abril", "avril", "avr", "aprile", "kwiecien", "kwietnia", "kwi"),
    ("may", "mai", "maio", "mayo", "maggio", "mag", "mei", "maj", "maja"),
    ("jun", "june", "junho", "junio", "juin", "juni", "giugno", "giu", "czerwiec", "czerwca",
     "cze"),
    ("jul", "july", "julho", "julio", "juillet", "juil", "juli", "luglio", "lug", "lipiec",
     "lipca", "lip"),
    ("aug", "august", "ago", "agosto", "aout", "augustus", "augusti", "sierpien", "sierpnia",
     "sie"),
    ("sep", "sept", "september", "set", "setembro", "septiembre", "septembre", "settembre",
     "wrzesien", "wrzesnia", "wrz"),
    ("oct", "october", "out", "outubro", "octubre", "octobre", "okt", "oktober", "ottobre", "ott",
     "pazdziernik", "pazdziernika", "paz"),
    ("nov", "november", "novembro", "noviembre", "novembre", "listopad", "listopada", "lis"),
    ("dec", "december", "dez", "dezembro", "dic", "diciembre", "decembre", "dezember",
     "dicembre", "grudzien", "grudnia", "gru"),
)  # fmt: skip
MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names}
# The text is matched as written: the same months with their accents.
MONTHS.update(
    {"março": 3, "février": 2, "févr": 2, "fév": 2, "août": 8, "décembre": 12, "déc": 12,
     "märz": 3, "mär": 3, "jänner": 1, "styczeń": 1, "kwiecień": 4, "sierpień": 8,
     "wrzesień": 9, "września": 9, "październik": 10, "października": 10, "paź": 10,
     "grudzień": 12}
)  # fmt: skip
# The end of a range that runs to the present, folded.
NOW_WORDS = (
    "present", "current", "currently", "now", "today", "ongoing", "date", "present day",
    "atual", "atualmente", "o momento", "hoje", "actual", "actualidad", "actualmente", "hoy",
    "presente", "la fecha", "aujourd'hui", "aujourd’hui", "actuel", "actuellement",
    "maintenant", "ce jour", "heute", "jetzt", "dato", "oggi", "attuale", "in corso",
    "heden", "nu", "idag", "i dag", "nutid", "nå", "obecnie", "teraz",
)  # fmt: skip
# Words that open a range with no end ("since 2019", "seit 04/2020"), folded.
SINCE_WORDS = ("since", "depuis", "seit", "desde", "dal", "dall'", "sinds", "sedan", "od", "from")
_month = "|".join(re.escape(m) for m in sorted(MONTHS, key=len, reverse=True))
_year = r"(?:19[5-9]\d|20[0-4]\d)"
# Mar 2019, March, 2019, mar/2019, 03/2019, 2019-03 (ISO), or a bare 2019.
_point = (
    rf"(?:{_year}[\-/.](?:0[1-9]|1[0-2])(?!\d)"
    rf"|(?:(?<![^\W\d_])(?:{_month})(?:\.?,?\s+|\.?\s*[/\-]\s*|\.)|\d{{1,2}}\s*[/.\-]\s*)?{_year})"
)
_now = "|".join(re.escape(w) for w in sorted(NOW_WORDS, key=len, reverse=True))
_to = r"(?:-|–|—|→|to|until|till|through|até|a|al|hasta|bis|au|à|tot|do)"
RANGE = re.compile(
    rf"(?P<start>{_point})\s*{_to}\s*(?P<end>{_point}|(?:{_now})(?![^\W\d_]))",
    re.IGNORECASE,
)
_since = "|".join(re.escape(w) for w in SINCE_WORDS)
# "since 2019" only where a job's dates stand: a line's start, or after "(",
# a separator or a column gap; never in a sentence.
OPEN_RANGE = re.compile(
    rf"(?:^|(?<=[(\[|•·\t])|(?<=\s[–—-]))\s*(?:{_since})\s+(?P<start>{_point})"
    rf"(?!\s*{_to}\s*(?:\d|{_now}))",
    re.IGNORECASE,
)


def _month_of(point: str, *, end: bool) -> tuple[int, int]:
    """(year, month) of a date as written; a bare year starts in January
    and ends in December only when it is both ends (`2019 – 2019`)."""
    if iso := re.match(r"\s*(\d{4})[\-/.](\d{2})", point):
        return int(iso.group(1)), int(iso.group(2))
    year = int(re.findall(r"\d{4}", point)[-1])
    words = re.findall(r"[^\W\d_]+", fold(point))
    month = next((MONTHS[w] for w in words if w in MONTHS), 0)
    if not month and (numeric := re.match(r"\s*(\d{1,2})\s*[/.\-]", point)):
        month = int(numeric.group(1)) if 1 <= int(numeric.group(1)) <= 12 else 0
    return year, month or 1


@dataclass
class Span:
    start: tuple[int, int]
    end: tuple[int, int]
    current: bool
    line: Line
    text: str  # the range as written


MAX_SPANS = 60  # more date ranges than any career has: the rest is not read


def spans(lines: Sequence[Line], *, today: dt.date) -> list[Span]:
    found: list[Span] = []
    for line in lines:
        if len(found) >= MAX_SPANS:
            break
        taken: list[tuple[int, int]] = []
        for match in RANGE.finditer(line.text):
            # The limit holds within a line too: each span's line is read
            # again for every span (is it a job, a school?), so a line of
            # thousands of ranges would take minutes.
            if len(found) >= MAX_SPANS:
                break
            end_text = match.group("end")
            current = not re.search(r"\d{4}", end_text)
            start = _month_of(match.group("start"), end=False)
            end = (today.year, today.month) if current else _month_of(end_text, end=True)
            taken.append(match.span())
            if end < start or start[0] > today.year:
                continue
            found.append(Span(start, end, current, line, match.group(0)))
        for match in OPEN_RANGE.finditer(line.text):
            if len(found) >= MAX_SPANS:
                break
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            start = _month_of(match.group("start"), end=False)
            if start <= (today.year, today.month):
                found.append(
                    Span(start, (today.year, today.month), True, line, match.group(0).strip())
                )
    return found


def find_years(lines: Sequence[Line], *, today: dt.date) -> Found | None:
    """Years of experience: the months covered by the experience section's
    date ranges (overlaps counted once), in whole years; else what the text
    states (`8+ years of experience`)."""
    work = [s for s in spans(lines, today=today) if s.line.section == "experience"]
    if not work:
        work = [
            s
            for s in spans(lines, today=today)
            if s.line.section in ("", "other") and not _looks_academic(s.line, lines)
        ]
        weak = True
    else:
        weak = False
    stated = _stated_years(lines)
    if work:
        months = _covered(work)
        years = months // 12
        confidence = 0.55 if weak else 0.85 if len(work) >= 2 else 0.7
        if stated and abs(stated.value - years) <= 1:
            confidence = max(confidence, 0.9)
        if 0 <= years <= 70:
            return Found(years, confidence, "; ".join(s.text for s in work)[:200])
    return stated


def _looks_academic(line: Line, lines: Sequence[Line]) -> bool:
    """Whether dates outside an experience section are studies: the line
    names a school or a degree, or, naming no job itself, the nearest line
    that says anything (above first: a job's header comes before its dates)
    names a school or a degree rather than a title or a company."""
    if _says_academic(line.text):
        return True
    if _says_job(line.text):
        return False
    for index in (line.index - 1, line.index + 1):
        if 0 <= index < len(lines) and not lines[index].section.startswith("heading:"):
            text = lines[index].text
            if _says_job(text):
                return False
            if _says_academic(text):
                return True
    return False


def _says_academic(text: str) -> bool:
    return bool(school_score(text) or degree_score(text))


@lru_cache(maxsize=256)  # asked again for every date range of a line
def _says_job(text: str) -> bool:
    return bool(title_score(RANGE.sub(" ", text)) or company_score(text))


def _covered(work: Sequence[Span]) -> int:
    """Months covered, each month of a range counted in full (Jan–Mar is 3)."""
    intervals = sorted((s.start[0] * 12 + s.start[1], s.end[0] * 12 + s.end[1] + 1) for s in work)
    total = 0
    current_start, current_end = intervals[0]
    for start, end in intervals[1:]:
        if start > current_end:
            total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    return total + current_end - current_start


_stated = re.compile(
    r"(\d{1,2})\s*\+?\s*(?:years|yrs|anos|años|ans|jahre)\b[^.\n]{0,40}?"
    r"(?:experience|experiência|experiencia|expérience|erfahrung)",
    re.IGNORECASE,
)


def _stated_years(lines: Sequence[Line]) -> Found | None:
    for line in lines[:40]:
        if match := _stated.search(line.text):
            return Found(int(match.group(1)), 0.75, line.text[:200])
    return None


# --- current job

TITLE_WORDS = {
    "engineer", "developer", "programmer", "manager", "director", "analyst", "designer",
    "architect", "consultant", "lead", "head", "specialist", "scientist", "officer",
    "coordinator", "accountant", "administrator", "intern", "associate", "representative",
    "executive", "assistant", "technician", "teacher", "recruiter", "nurse", "physician",
    "doctor", "therapist", "pharmacist", "controller", "auditor", "advisor", "adviser",
    "president", "vp", "cto", "ceo", "cfo", "coo", "founder", "co-founder", "partner",
    "owner", "researcher", "professor", "lecturer", "editor", "writer", "marketer",
    "strategist", "planner", "buyer", "supervisor", "operator", "agent", "paralegal",
    "attorney", "lawyer", "sre", "devops", "product", "support", "tester", "qa",
    "estagiario", "engenheiro", "engenheira", "desenvolvedor", "desenvolvedora", "gerente",
    "analista", "ingeniero", "ingeniera", "desarrollador", "desarrolladora", "jefe",
    "ingenieur", "entwickler", "leiter", "berater", "developpeur", "chef", "responsable",
    "developpeuse", "ingenieure", "analyste", "cheffe", "directrice", "directeur",
    "entwicklerin", "beraterin", "leiterin", "consultora", "consultor", "diretor", "diretora",
    "sales", "account", "clerk", "secretary", "receptionist", "chemist", "biologist",
    "economist", "statistician", "trainee", "apprentice", "fellow", "principal", "staff",
    "senior", "junior", "mid", "chief", "registered", "practitioner", "surgeon", "midwife",
    "paramedic", "mechanic", "electrician", "welder", "driver", "cook", "barista",
}  # fmt: skip
TITLE_HEADS = {
    "engineer", "developer", "programmer", "manager", "director", "analyst", "designer",
    "architect", "consultant", "lead", "head", "specialist", "scientist", "officer",
    "coordinator", "accountant", "administrator", "intern", "representative", "executive",
    "assistant", "technician", "teacher", "recruiter", "nurse", "physician", "therapist",
    "pharmacist", "controller", "auditor", "advisor", "president", "vp", "cto", "ceo", "cfo",
    "founder", "researcher", "professor", "lecturer", "writer", "strategist", "supervisor",
    "engenheiro", "engenheira", "desenvolvedor", "desenvolvedora", "gerente", "analista",
    "ingeniero", "ingeniera", "desarrollador", "desarrolladora", "ingenieur", "entwickler",
    "developpeur", "surgeon", "midwife", "paramedic", "trainee", "sre", "tester",
    "developpeuse", "ingenieure", "analyste", "directrice", "directeur", "entwicklerin",
    "consultora", "consultor", "diretor", "diretora",
}  # fmt: skip
# The same heads in the other languages résumés here are written in (folded,
# both genders), and the ends of German, Dutch and Scandinavian compounds
# (Projektleiter, Entwicklungsingenieur, Softwareontwikkelaar, Projektledare).
TITLE_HEADS |= {
    "enfermeira", "enfermeiro", "enfermera", "enfermero", "infirmiere", "infirmier",
    "infermiera", "infermiere", "verpleegkundige", "krankenschwester", "sjukskoterska",
    "pielegniarka", "medico", "medica", "medecin", "tecnico", "tecnica", "technicien",
    "technicienne", "techniker", "technikerin", "coordenador", "coordenadora", "coordinador",
    "coordinadora", "coordinateur", "coordinatrice", "coordinatore", "koordinator",
    "programador", "programadora", "programmatore", "programmatrice", "programmeur",
    "programmierer", "programmiererin", "programista", "programistka", "arquiteto",
    "arquiteta", "arquitecto", "arquitecta", "architecte", "architetto", "architekt",
    "architektin", "contador", "contadora", "comptable", "contabile", "ksiegowa", "ksiegowy",
    "advogado", "advogada", "abogado", "abogada", "avocat", "avocate", "avvocato",
    "assistente", "asistente", "assistante", "assistent", "assistentin", "especialista",
    "specialiste", "spezialist", "spezialistin", "specjalista", "specjalistka", "gestor",
    "gestora", "gestionnaire", "chef", "cheffe", "jefa", "responsable", "responsabile",
    "directora", "direttore", "direttrice", "dyrektor", "kierownik", "sviluppatore",
    "sviluppatrice", "ingegnere", "consulente", "consultante", "konsult", "konsultant",
    "progettista", "ricercatore", "ricercatrice", "investigador", "investigadora",
    "pesquisador", "pesquisadora", "chercheur", "chercheuse", "forscher", "forscherin",
    "ontwikkelaar", "analist", "analityk", "adviseur", "beheerder", "utvecklare",
    "udvikler", "utvikler", "ingenjor", "inzynier", "ingenieurin", "beraterin", "referent",
    "referentin", "sachbearbeiter", "sachbearbeiterin", "werkstudent", "werkstudentin",
    "praktikant", "praktikantin", "stagiaire", "stagista", "becario", "becaria",
    "estagiaria", "vendedor", "vendedora", "commercial", "commerciale", "conseiller",
    "conseillere", "recruteur", "recruteuse", "redacteur", "redactrice", "geschaftsfuhrer",
    "geschaftsfuhrerin", "projectleider", "teamleider", "projektledare",
}  # fmt: skip
TITLE_WORDS |= TITLE_HEADS | {"pleno", "tirocinante", "junior", "senior"}
COMPOUND_HEADS = (
    "leiter", "leiterin", "entwickler", "entwicklerin", "ingenieur", "ingenieurin", "berater",
    "beraterin", "referent", "referentin", "manager", "managerin", "techniker", "technikerin",
    "sachbearbeiter", "sachbearbeiterin", "assistent", "assistentin", "fuhrer", "fuhrerin",
    "architekt", "architektin", "analyst", "analystin", "designer", "designerin",
    "spezialist", "spezialistin", "koordinator", "koordinatorin", "leider", "ontwikkelaar",
    "adviseur", "medewerker", "ledare", "utvecklare", "udvikler", "utvikler", "konsult",
)  # fmt: skip
COMPANY_WORDS = {
    "inc", "inc.", "ltd", "ltd.", "llc", "gmbh", "ag", "sa", "s.a.", "plc", "corp", "corp.",
    "corporation", "company", "co.", "lda", "ltda", "sarl", "bv", "b.v.", "nv", "oy", "ab",
    "as", "srl", "spa", "s.p.a.", "pty", "group", "holdings", "technologies", "technology",
    "labs", "systems", "solutions", "software", "consulting", "bank", "hospital", "clinic",
    "health", "healthcare", "partners", "ventures", "studio", "studios", "analytics",
    "digital", "media", "capital", "foundation", "agency", "services", "industries",
    "networks", "games", "logistics", "pharma", "airlines", "energy", "foods", "retail",
}  # fmt: skip
SEPARATORS = re.compile(r"\s+[|–—·•]\s+|\s+-\s+|,\s+|\t")
# "Engineer at Acme", in a few languages: only between a title and a company.
AT = re.compile(r"\s+(?:at|@|em|en|bei|chez|na|no|presso)\s+", re.IGNORECASE)


@lru_cache(maxsize=2048)
def _folded_words(text: str) -> tuple[str, ...]:
    """The words titles, companies, schools and degrees are told by; only a
    line's start counts (a heading or a job's line is short)."""
    return tuple(re.findall(r"[a-z0-9][a-z0-9.&\-]*", fold(text[:300])))


def title_score(text: str) -> int:
    words = _folded_words(text)
    if not words or len(words) > 8:
        return 0
    return sum(_title_word(w) for w in words)


def _title_word(word: str) -> int:
    if word in TITLE_HEADS:
        return 2
    if word in TITLE_WORDS:
        return 1
    if any(len(word) > len(end) + 3 and word.endswith(end) for end in COMPOUND_HEADS):
        return 2  # Projektleiter, Entwicklungsingenieur
    return 0


def company_score(text: str) -> int:
    """Words companies are named with; a short legal suffix (AS, SA, AG)
    counts only as the last word."""
    words = _folded_words(text)
    return sum(
        1
        for i, w in enumerate(words)
        if w in COMPANY_WORDS and (len(w.strip(".")) > 3 or i == len(words) - 1)
    )


def _segments(text: str, *, job: bool = False) -> list[str]:
    pieces = [s.strip(" ,;:()") for s in SEPARATORS.split(text) if s and s.strip(" ,;:()")]
    if job:  # "Engineer at Acme": split where a title ends
        pieces = [
            part.strip()
            for piece in pieces
            for part in (
                AT.split(piece, maxsplit=1) if title_score(AT.split(piece)[0]) else [piece]
            )
            if part.strip()
        ]
    return pieces


def find_current_job(lines: Sequence[Line], *, today: dt.date) -> tuple[Found | None, Found | None]:
    """The title and company of the job the experience section lists
    first, or of the one that runs to the present; from the line with the
    date range and the lines just above it (or below, when the dates come
    first)."""
    all_spans = spans(lines, today=today)
    work = [s for s in all_spans if s.line.section == "experience"]
    in_section = bool(work)
    if not work:
        work = [s for s in all_spans if not _looks_academic(s.line, lines)]
    if not work:
        return _headline_job(lines)
    current = [s for s in work if s.current]
    span = current[0] if current else max(work, key=lambda s: s.end)
    title, company = _job_near(span, lines)
    base = 0.85 if span.current and in_section else 0.7 if in_section else 0.55
    title_found = (
        Found(title[0], base if title[1] >= 2 else base - 0.15, title[2]) if title else None
    )
    company_found = (
        Found(company[0], base if company[1] else base - 0.15, company[2]) if company else None
    )
    if title_found is None:
        headline_title, headline_company = _headline_job(lines)
        return headline_title, company_found or headline_company
    return title_found, company_found


def _job_near(
    span: Span, lines: Sequence[Line]
) -> tuple[tuple[str, int, str] | None, tuple[str, int, str] | None]:
    """(text, score, line) of the title and of the company around a date range."""
    here = span.line.index
    nearby: list[Line] = [span.line]
    for direction in (-1, 1):
        for offset in (direction, 2 * direction):
            index = here + offset
            if not 0 <= index < len(lines):
                break
            other = lines[index]
            if other.section.startswith("heading:") or other.section != span.line.section:
                break
            if RANGE.search(other.text) or OPEN_RANGE.search(other.text):
                break  # another job's dates
            if offset > 0 and not _short(other.text):
                break  # a description: what follows it is another job's
            nearby.append(other)
    pieces: list[tuple[str, Line, int]] = []  # text, line, distance
    for line in nearby:
        text = line.text.replace(span.text, " ") if line is span.line else line.text
        text = re.sub(r"\(\s*\)|\b(?:19|20)\d{2}\b", " ", text)
        for segment in _segments(text, job=True):
            if re.search(r"[\w]", segment) and len(segment) <= 80:
                pieces.append((segment, line, abs(line.index - here)))
    if not pieces:
        return None, None
    titled = sorted(pieces, key=lambda p: (-title_score(p[0]), p[2]))
    title = titled[0] if title_score(titled[0][0]) else None
    rest = [p for p in pieces if title is None or p[0] != title[0]]
    rest = [p for p in rest if not is_place(p[0]) and not _only_location(p[0])]
    company = None
    if rest:
        ranked = sorted(rest, key=lambda p: (-company_score(p[0]), p[2], -_is_upper_start(p[0])))
        company = ranked[0]
    return (
        (title[0], title_score(title[0]), title[1].text) if title else None,
        (company[0], company_score(company[0]), company[1].text) if company else None,
    )


def _short(text: str) -> bool:
    return len(text.split()) <= 8 and not text.rstrip().endswith(".")


def _is_upper_start(text: str) -> int:
    return int(text[:1].isupper())


def _only_location(text: str) -> bool:
    parts = [p.strip() for p in re.split(r"[,/]", text)]
    return all(is_place(p) or not p for p in parts) or fold(text) in {"remote", "hybrid"}


def _headline_job(lines: Sequence[Line]) -> tuple[Found | None, Found | None]:
    """`Senior Engineer at Acme` just under the name."""
    for line in lines[1:5]:
        if line.section.startswith("heading:"):
            break
        parts = re.split(r"\s+(?:at|@)\s+", line.text, maxsplit=1)
        if title_score(parts[0]) >= 2 and not re.search(r"[@\d]", line.text):
            company = Found(parts[1].strip(), 0.5, line.text) if len(parts) == 2 else None
            return Found(parts[0].strip(), 0.5, line.text), company
    return None, None


# --- education

DEGREE_WORDS = {
    "bachelor", "bachelors", "master", "masters", "phd", "ph.d", "ph.d.", "doctorate",
    "mba", "bsc", "b.sc", "b.sc.", "msc", "m.sc", "m.sc.", "ba", "b.a", "b.a.", "ma", "m.a",
    "m.a.", "beng", "b.eng", "meng", "m.eng", "bs", "b.s", "b.s.", "ms", "m.s", "m.s.",
    "licenciatura", "bacharelado", "mestrado", "doutorado", "licence", "diplom", "diploma",
    "grado", "master's", "bachelor's", "llb", "llm", "md", "bba", "mphil", "dphil", "bcom",
    "associate's", "pgce", "hnd", "certificate", "degree", "mestre", "maestria", "laurea",
    "tecnologo", "engenharia", "ingenieria", "btech", "b.tech", "mtech", "m.tech",
    "bachiller", "abitur", "mres", "dnp", "bsn", "msn", "rn", "pharmd", "mpa", "mph",
}  # fmt: skip
SCHOOL_WORDS = {
    "university", "universidade", "universidad", "universite", "universitat", "universita",
    "college", "institute", "instituto", "institut", "school", "polytechnic", "politecnico",
    "politecnica", "academy", "hochschule", "ecole", "escola", "escuela", "faculdade",
    "facultad", "faculty", "conservatory", "seminary", "uni", "tu", "eth", "epfl", "mit",
    "ucl", "lse", "usp", "unicamp", "insead", "universitet", "universiteit", "hogeschool",
    "hogskola", "hojskole", "uniwersytet", "politechnika", "akademia", "fachhochschule",
    "gymnasium", "lycee", "liceo", "colegio", "faculte", "facolta", "fakultat",
}  # fmt: skip


def degree_score(text: str) -> int:
    words = _folded_words(text)
    return sum(1 for w in words if w in DEGREE_WORDS or w.rstrip(".,") in DEGREE_WORDS)


def school_score(text: str) -> int:
    """Words schools are named with, also as the end of a compound
    (Gutenberg-Universität, Technische-Hochschule)."""
    return sum(1 for w in _folded_words(text) if w.rsplit("-", 1)[-1] in SCHOOL_WORDS)


def find_education(lines: Sequence[Line]) -> list[Found]:
    """One entry per school named (with the degree on its line or the line
    next to it, and the year it ended), in the education section or, with
    less confidence, anywhere."""
    section = [line for line in lines if line.section == "education"]
    in_section = bool(section)
    pool = section or [line for line in lines if line.section in ("", "other")]
    entries: list[Found] = []
    used: set[int] = set()
    for position, line in enumerate(pool):
        if not school_score(line.text):
            continue
        school = next((s for s in _segments(_dateless(line.text)) if school_score(s)), "")
        degree = next(
            (s for s in _segments(_dateless(line.text)) if degree_score(s) and s != school), ""
        )
        evidence = [line.text]
        neighbours = [pool[i] for i in (position - 1, position + 1) if 0 <= i < len(pool)]
        for other in neighbours:
            if other.index in used or school_score(other.text):
                continue
            if not degree and degree_score(other.text):
                degree = _segments(_dateless(other.text))[0] if _dateless(other.text) else ""
                evidence.append(other.text)
                used.add(other.index)
        year = _end_year(evidence) or _end_year([n.text for n in neighbours if n.index in used])
        if not year:
            year = _end_year([n.text for n in neighbours if not school_score(n.text)])
        confidence = (0.85 if degree else 0.65) if in_section else (0.6 if degree else 0.4)
        entries.append(
            Found({"school": school, "degree": degree, "year": year}, confidence, line.text)
        )
        used.add(line.index)
    for line in section:  # a degree with no school named beside it
        if line.index not in used and degree_score(line.text) and not RANGE.fullmatch(line.text):
            text = _segments(_dateless(line.text))
            if text:
                year = _end_year([line.text])
                entries.append(
                    Found({"school": "", "degree": text[0], "year": year}, 0.5, line.text)
                )
                used.add(line.index)
    return entries


def _dateless(text: str) -> str:
    text = RANGE.sub(" ", text)
    return re.sub(r"\(?\b(?:19|20)\d{2}\b\)?", " ", text).strip(" ,|–—-")


def _end_year(texts: Sequence[str]) -> int | None:
    years = [int(y) for text in texts for y in re.findall(r"\b((?:19|20)\d{2})\b", text)]
    return max(years) if years else None
