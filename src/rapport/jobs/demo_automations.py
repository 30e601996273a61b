"""Starter templates and stage automations for the demo's open engineering
job, so that a first look at Rapport shows a stage sending the right email
and making a task. Made once, by name; a second run changes nothing, and
nothing happens without the demo job (a real installation never gets them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from rapport.jobs.automations import AutomationFields, automation_set
from rapport.jobs.models import Job, Stage, StageAutomation
from rapport.outreach.models import MessageKind, Template
from rapport.outreach.services import template_create

DEMO_JOB = "Senior Backend Engineer"


@dataclass(frozen=True)
class Starter:
    name: str
    kind: str
    subject: str
    body: str


STARTERS = (
    Starter(
        "Screening call invitation",
        MessageKind.TRANSACTIONAL,
        "{{ job.title }}: a first call?",
        "Hi {{ candidate.first_name | default('there') }},\n\n"
        "Thank you for your interest in the **{{ job.title }}** role. I'd love to "
        "hear more about your work{% if candidate.top_skill %} with "
        "{{ candidate.top_skill }}{% endif %} in a 30-minute call.\n\n"
        "Which times suit you this week or next?\n\n"
        "{{ sender.signature | default(sender.name) }}",
    ),
    Starter(
        "Not this time, with thanks",
        MessageKind.NURTURE,
        "Your application for {{ job.title }}",
        "Hi {{ candidate.first_name | default('there') }},\n\n"
        "Thank you for the time you gave us for the **{{ job.title }}** role. "
        "We have decided not to go further this time, and I wanted you to hear "
        "it from me.\n\n"
        "We'd like to stay in touch: roles open here often, and I'll write when "
        "one fits. You can choose what you hear from us here: "
        "{{ preferences_url }}\n\n"
        "{{ sender.signature | default(sender.name) }}",
    ),
)

# Stage name → (starter template or "", delay in hours, held for review, task).
PLAN: dict[str, tuple[str, int, bool, str]] = {
    "Screen": ("Screening call invitation", 0, True, "Book the screening call"),
    "Offer": ("", 0, False, "Prepare the offer with the hiring manager"),
    "Rejected": ("Not this time, with thanks", 24, True, ""),
}


def demo_automations() -> int:
    """Add the starter templates and the demo job's automations that are not
    there yet; returns how many automations were added."""
    job = Job.objects.filter(title=DEMO_JOB, recruiter__isnull=False).order_by("pk").first()
    if job is None or job.recruiter is None:
        return 0
    recruiter = job.recruiter
    added = 0
    with transaction.atomic():
        templates = {
            t.name: t for t in Template.objects.filter(name__in=[s.name for s in STARTERS])
        }
        for starter in STARTERS:
            if starter.name not in templates:
                templates[starter.name] = template_create(
                    actor=recruiter,
                    name=starter.name,
                    subject=starter.subject,
                    body=starter.body,
                    kind=starter.kind,
                )
        for stage in Stage.objects.filter(job=job, name__in=PLAN):
            if StageAutomation.objects.filter(stage=stage).exists():
                continue
            template_name, delay, review, task = PLAN[stage.name]
            values = AutomationFields(
                template=templates.get(template_name),
                delay_hours=delay,
                review=review,
                task_title=task,
            )
            automation_set(actor=recruiter, stage=stage, values=values)
            added += 1
    return added
