"""Jobs, pipelines, applications and interviews (see the app's docstring)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from rapport.people.models import Candidate, Seniority, Skill


class JobStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    ON_HOLD = "on_hold", "On hold"
    FILLED = "filled", "Filled"
    CLOSED = "closed", "Closed"


class RemotePolicy(models.TextChoices):
    ONSITE = "onsite", "On site"
    HYBRID = "hybrid", "Hybrid"
    REMOTE = "remote", "Remote"


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", "Full time"
    PART_TIME = "part_time", "Part time"
    CONTRACT = "contract", "Contract"
    TEMPORARY = "temporary", "Temporary"
    INTERNSHIP = "internship", "Internship"


class StageKind(models.TextChoices):
    """What entering a stage means. Only `active` stages are ordered steps of
    the pipeline; the other three end an application."""

    ACTIVE = "active", "In progress"
    HIRED = "hired", "Hired"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


ENDING_KINDS = (StageKind.HIRED, StageKind.REJECTED, StageKind.WITHDRAWN)


class DefaultStage(models.Model):
    """One stage of the organisation's default pipeline, copied into every new
    job. Editing it changes jobs made afterwards, never existing ones."""

    name = models.CharField(max_length=60, unique=True)
    kind = models.CharField(max_length=12, choices=StageKind.choices, default=StageKind.ACTIVE)
    position = models.PositiveSmallIntegerField()
    silver = models.BooleanField(
        default=False,
        help_text="Candidates who reached this stage and were not hired are silver medallists.",
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Job(models.Model):
    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=80, unique=True)
    department = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=150, blank=True, help_text="City, as candidates see it.")
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code.")
    timezone = models.CharField(max_length=64, blank=True, help_text="IANA time zone of the team.")
    remote = models.CharField(
        max_length=8, choices=RemotePolicy.choices, default=RemotePolicy.ONSITE
    )
    employment_type = models.CharField(
        max_length=12, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME
    )
    description = models.TextField(blank=True, help_text="Markdown.")
    description_html = models.TextField(blank=True, editable=False)
    seniority = models.CharField(max_length=20, choices=Seniority.choices, blank=True)
    headcount = models.PositiveSmallIntegerField(default=1)
    recruiter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recruited_jobs",
    )
    hiring_managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_jobs"
    )
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.DRAFT)
    status_changed_at = models.DateTimeField(default=now)
    opened_at = models.DateTimeField(null=True, blank=True, help_text="First opened.")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Filled or closed.")
    published = models.BooleanField(
        default=True, help_text="Shown on the careers site while the job is open."
    )
    silver_stage = models.ForeignKey(
        "Stage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who reached this stage and was not hired becomes a silver medallist.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    skills: models.ManyToManyField[Skill, JobSkill] = models.ManyToManyField(
        Skill, through="JobSkill", related_name="jobs"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="job_status_idx")]

    def __str__(self) -> str:
        return self.title


class JobSkill(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    required = models.BooleanField(default=True, help_text="Off: nice to have.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "skill"], name="job_skill_unique")]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.skill_id}"


class JobStatusChange(models.Model):
    """Each status a job has had and when, for the dates of each change."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=10, choices=JobStatus.choices)
    changed_at = models.DateTimeField(default=now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.job_id} {self.status} at {self.changed_at:%Y-%m-%d}"


class Stage(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=12, choices=StageKind.choices, default=StageKind.ACTIVE)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "name"], name="stage_job_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ends(self) -> bool:
        return self.kind in ENDING_KINDS


class RejectionReason(models.TextChoices):
    SKILLS = "skills", "Skills or experience"
    SENIORITY = "seniority", "Seniority"
    LOCATION = "location", "Location or time zone"
    COMPENSATION = "compensation", "Compensation"
    CULTURE = "culture", "Team fit"
    STRONGER = "stronger", "Another candidate was stronger"
    UNRESPONSIVE = "unresponsive", "Did not respond"
    FILLED = "filled", "Position filled or closed"
    OTHER = "other", "Other"


class Application(models.Model):
    """A candidate considered for a job: one per candidate and job."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="applications")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="applications")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="applications")
    stage_entered_at = models.DateTimeField(default=now)
    # The furthest active stage reached (its position): what silver
    # medallists and "stages reached before" read.
    furthest_position = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(max_length=40, blank=True, help_text="sourced, careers, referral…")
    rejection_reason = models.CharField(max_length=16, choices=RejectionReason.choices, blank=True)
    rejection_note = models.TextField(blank=True)
    answers: models.JSONField[list[dict[str, Any]]] = models.JSONField(default=list, blank=True)
    hired_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "job"], name="application_unique"),
        ]
        indexes = [
            models.Index(
                fields=["job", "stage", "-stage_entered_at"], name="application_board_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} for {self.job_id}"


class StageChange(models.Model):
    """One move of an application: where from, where to, who, when, why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    changed_at = models.DateTimeField(default=now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["application", "changed_at"], name="stage_change_idx")]

    def __str__(self) -> str:
        return f"{self.application_id} → {self.to_stage_id}"


class StageAutomation(models.Model):
    """What happens when an application enters a stage: a templated email
    (after a delay, perhaps held for the recruiter to review), a task."""

    stage = models.OneToOneField(Stage, on_delete=models.CASCADE, related_name="automation")
    template = models.ForeignKey(
        "outreach.Template", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delay_hours = models.PositiveIntegerField(default=0)
    review = models.BooleanField(
        default=False, help_text="Hold the email until the recruiter reads, edits and sends it."
    )
    task_title = models.CharField(
        max_length=200, blank=True, help_text="Create a task for the job's recruiter."
    )
    task_due_days = models.PositiveSmallIntegerField(default=1)
    active = models.BooleanField(default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Automation of stage {self.stage_id}"


class AutomationRunStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for its delay"
    REVIEW = "review", "Waiting for review"
    SENT = "sent", "Queued to send"
    SKIPPED = "skipped", "Skipped"
    CANCELLED = "cancelled", "Cancelled"


class AutomationRun(models.Model):
    """One email an automation owes an application, kept as a row so that a
    delay survives restarts and a held message can be edited before it goes."""

    automation = models.ForeignKey(StageAutomation, on_delete=models.CASCADE, related_name="runs")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="automation_runs"
    )
    stage_change = models.OneToOneField(
        StageChange, on_delete=models.CASCADE, related_name="automation_run"
    )
    status = models.CharField(
        max_length=10, choices=AutomationRunStatus.choices, default=AutomationRunStatus.WAITING
    )
    due_at = models.DateTimeField(default=now)
    subject = models.CharField(max_length=300, blank=True, help_text="As edited in review.")
    body = models.TextField(blank=True, help_text="As edited in review.")
    message = models.ForeignKey(
        "outreach.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="automation_run_due_idx",
                condition=Q(status="waiting"),
            )
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} ({self.status})"


class InterviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    DONE = "done", "Done"


class Interview(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="interviews"
    )
    title = models.CharField(max_length=150)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(max_length=64, help_text="The organiser's time zone.")
    location = models.CharField(max_length=300, blank=True)
    video_url = models.URLField(max_length=500, blank=True)
    interviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="interviews")
    status = models.CharField(
        max_length=10, choices=InterviewStatus.choices, default=InterviewStatus.SCHEDULED
    )
    uid = models.CharField(max_length=120, unique=True, help_text="The iCalendar UID.")
    sequence = models.PositiveIntegerField(default=0, help_text="The iCalendar SEQUENCE.")
    notes = models.TextField(blank=True, help_text="Shown to interviewers, not the candidate.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.title


class Recommendation(models.TextChoices):
    STRONG_NO = "strong_no", "Strong no"
    NO = "no", "No"
    YES = "yes", "Yes"
    STRONG_YES = "strong_yes", "Strong yes"


class Scorecard(models.Model):
    """An interviewer's feedback. Confidential: sourcers never see it."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="scorecards"
    )
    interview = models.ForeignKey(
        Interview, null=True, blank=True, on_delete=models.SET_NULL, related_name="scorecards"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(help_text="1 (poor) to 5 (excellent).")
    recommendation = models.CharField(max_length=12, choices=Recommendation.choices)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "author"],
                name="scorecard_one_per_interviewer",
                condition=Q(interview__isnull=False),
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="scorecard_rating_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Scorecard {self.pk}"


class QuestionKind(models.TextChoices):
    SHORT = "short", "Short answer"
    LONG = "long", "Paragraph"
    YES_NO = "yes_no", "Yes or no"
    CHOICE = "choice", "One of a list"


class JobQuestion(models.Model):
    """A question of the job's apply form on the careers site."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(max_length=300)
    kind = models.CharField(max_length=8, choices=QuestionKind.choices, default=QuestionKind.SHORT)
    choices: models.JSONField[list[str]] = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class FunnelStep(models.TextChoices):
    VIEWED = "viewed", "Job page viewed"
    STARTED = "started", "Form started"
    SUBMITTED = "submitted", "Form submitted"


class FunnelCount(models.Model):
    """Careers-site traffic per job, step and day: counted, not logged, so
    nothing about the visitor is kept."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="funnel")
    step = models.CharField(max_length=10, choices=FunnelStep.choices)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "step", "day"], name="funnel_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.job_id} {self.step} {self.day}: {self.count}"


class CandidateEmbedding(models.Model):
    """A candidate's profile as a unit vector of float32, for the optional
    semantic signal of rediscovery; `digest` is of the text it was made from,
    so a profile that did not change is not embedded again."""

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="embedding")
    model = models.CharField(max_length=80)
    digest = models.CharField(max_length=64)
    vector = models.BinaryField()
    updated_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"Embedding of {self.candidate_id}"


class PoolChange(models.Model):
    """Candidates `low` to `high` (by id) changed in a way rediscovery's pool
    in memory must read again (jobs/pool_memory.py): their row or their
    skills were written by transaction `xid`. Written on PostgreSQL by the
    database's own triggers (migration 0003), never by the app, so that no
    write is missed, whichever path made it; both ends empty: a table was
    emptied, everything changed. Kept a day (`pool_changes_prune`)."""

    low = models.BigIntegerField(null=True)
    high = models.BigIntegerField(null=True)
    xid = models.BigIntegerField()
    at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["xid"], name="jobs_poolchange_xid")]

    def __str__(self) -> str:
        return f"Candidates {self.low}–{self.high} in transaction {self.xid}"
