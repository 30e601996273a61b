from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from rapport.core.loading import QuickLoad

if TYPE_CHECKING:
    from rapport.people.selectors import Shown


class Seniority(models.TextChoices):
    INTERN = "intern", "Intern"
    JUNIOR = "junior", "Junior"
    MID = "mid", "Mid-level"
    SENIOR = "senior", "Senior"
    LEAD = "lead", "Lead"
    PRINCIPAL = "principal", "Principal"
    EXECUTIVE = "executive", "Executive"


class ConsentState(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    GIVEN = "given", "Given"
    LEGITIMATE_INTEREST = "legitimate_interest", "Legitimate interest"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Skill(models.Model):
    """One entry of the skill vocabulary. Aliases map what people type
    (`k8s`) to the canonical skill (Kubernetes)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    category = models.CharField(max_length=30, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SkillAlias(models.Model):
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=80, unique=True, help_text="Lower case.")

    class Meta:
        ordering = ["alias"]
        verbose_name_plural = "skill aliases"

    def __str__(self) -> str:
        return f"{self.alias} → {self.skill_id}"


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True, help_text="Lower case, hyphenated.")
    color = models.CharField(max_length=20, default="slate")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Pool(models.Model):
    """A named, static list of candidates, built by hand."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomFieldType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    BOOLEAN = "boolean", "Yes / no"
    CHOICE = "choice", "Choice"
    URL = "url", "Link"


class CustomField(models.Model):
    """A field an admin adds to every candidate. Values live in
    Candidate.custom_fields under `key` and are validated against this."""

    key = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=100)
    field_type = models.CharField(max_length=10, choices=CustomFieldType.choices)
    choices: models.JSONField[list[str]] = models.JSONField(default=list, blank=True)
    help_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class Candidate(QuickLoad, models.Model):
    """A person in the talent pool, whether or not they ever applied. Read a
    page at a time, so built without `__init__` (core.loading)."""

    # Set by selectors.attach_shown on the rows a page or endpoint shows.
    shown: Shown

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    headline = models.CharField(max_length=200, blank=True)
    current_title = models.CharField(max_length=150, blank=True)
    current_company = models.CharField(max_length=150, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code.")
    timezone = models.CharField(max_length=64, blank=True, help_text="IANA time zone.")
    languages: models.JSONField[list[str]] = models.JSONField(default=list, blank=True)
    seniority = models.CharField(max_length=20, choices=Seniority.choices, blank=True)
    years_experience = models.PositiveSmallIntegerField(null=True, blank=True)
    linkedin_url = models.URLField(max_length=300, blank=True)
    github_url = models.URLField(max_length=300, blank=True)
    portfolio_url = models.URLField(max_length=300, blank=True)
    source = models.CharField(max_length=40, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_candidates",
    )
    custom_fields: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)
    consent = models.CharField(
        max_length=24, choices=ConsentState.choices, default=ConsentState.UNKNOWN
    )
    last_contacted_at = models.DateTimeField(null=True, blank=True)
    engagement_score = models.FloatField(default=0)
    # Lower-cased, accent-folded names, emails, title, company and skills: the
    # quick search reads this one column instead of joining five tables.
    primary_email = models.CharField(max_length=254, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    skills: models.ManyToManyField[Skill, CandidateSkill] = models.ManyToManyField(
        Skill, through="CandidateSkill", related_name="candidates"
    )
    tags: models.ManyToManyField[Tag, CandidateTag] = models.ManyToManyField(
        Tag, through="CandidateTag", related_name="candidates"
    )
    pools: models.ManyToManyField[Pool, PoolMembership] = models.ManyToManyField(
        Pool, through="PoolMembership", related_name="candidates"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="candidate_name_idx"),
            models.Index(fields=["-created_at", "-id"], name="candidate_created_idx"),
            models.Index(fields=["-updated_at", "-id"], name="candidate_updated_idx"),
            models.Index(fields=["last_contacted_at", "id"], name="candidate_contacted_idx"),
            models.Index(fields=["owner", "-created_at"], name="candidate_owner_idx"),
            # With the id: a count of a country beside full text reads the index alone.
            models.Index(fields=["country", "id"], name="candidate_country_idx"),
            # Identity: a canonical profile URL names one person (sourcing.identity).
            models.Index(fields=["linkedin_url"], name="candidate_linkedin_idx"),
            models.Index(fields=["github_url"], name="candidate_github_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def initials(self) -> str:
        return (self.first_name[:1] + self.last_name[:1]).upper()


class CandidateSkill(models.Model):
    # No single-column indexes: candidate_skill_unique leads with the
    # candidate and skill_candidate_idx with the skill (fewer index writes).
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="skill_links", db_index=False
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+", db_index=False)
    level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1 (basic) to 5 (expert)."
    )
    years = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "skill"], name="candidate_skill_unique"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=5),
                name="candidate_skill_level_range",
            ),
        ]
        indexes = [models.Index(fields=["skill", "candidate"], name="skill_candidate_idx")]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.skill_id}"


class ContactKind(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"


class ContactPoint(models.Model):
    """An email address or phone number of a candidate, stored normalised
    (lower-case email, E.164 phone). One primary per kind per candidate."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=10, choices=ContactKind.choices)
    value = models.CharField(max_length=254)
    label = models.CharField(max_length=30, blank=True, help_text="work, personal, mobile…")
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-is_primary", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "kind"],
                condition=Q(is_primary=True),
                name="contact_one_primary_per_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "value"],
                condition=Q(kind="email"),
                name="contact_email_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "value"], name="contact_value_idx"),
            # has:phone / has:email over a million candidates: their ids by kind.
            models.Index(fields=["kind", "candidate"], name="contact_kind_candidate_idx"),
        ]

    def __str__(self) -> str:
        return self.value


class CandidateTag(models.Model):
    # Covered by candidate_tag_unique and tag_candidate_idx, as for skills.
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="tag_links", db_index=False
    )
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="candidate_links", db_index=False
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=now)
    reason = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_default="",  # rows written in bulk by plain SQL leave it out
        help_text="Why, when a rule tagged them (a silver medal).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "tag"], name="candidate_tag_unique")
        ]
        indexes = [models.Index(fields=["tag", "candidate"], name="tag_candidate_idx")]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.tag_id}"


class PoolMembership(models.Model):
    # No index of its own: the unique (pool, candidate) index serves every
    # lookup by pool, so a second one would only cost each membership written.
    pool = models.ForeignKey(
        Pool, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="pool_memberships"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "candidate"], name="pool_membership_unique")
        ]
        indexes = [models.Index(fields=["pool", "-added_at", "-id"], name="pool_added_idx")]

    def __str__(self) -> str:
        return f"{self.candidate_id} in {self.pool_id}"


class Note(models.Model):
    """A note on a candidate: Markdown as written, and the sanitised HTML shown."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    body_html = models.TextField()
    confidential = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["candidate", "-created_at"], name="note_candidate_idx")]

    def __str__(self) -> str:
        return f"Note {self.pk} on {self.candidate_id}"


class CandidateShare(models.Model):
    """A candidate made visible to a user whose role does not see the whole
    pool (a hiring manager)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shared_candidates"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "user"], name="candidate_share_unique")
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} shared with {self.user_id}"


class SearchDocument(models.Model):
    """The words full-text search reads for one candidate, as built by
    `people.documents.document`: in `tokens`, plain words, then the same
    words marked with their field (`0t` title, `0c` company…); in
    `private_tokens`, the words of confidential notes, which only users who
    may read those notes search. The search app indexes this table (an FTS5
    table on SQLite, a GIN index on PostgreSQL); services rewrite the row
    with every change to what it holds."""

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    tokens = models.TextField(blank=True)
    private_tokens = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Search document of {self.candidate_id}"
