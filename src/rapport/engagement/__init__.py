"""Engagement: how warm each candidate is, from the Activity log.

It owns the score (`scoring`, a pure function of a candidate's events), the
service that writes it to Candidate.engagement_score for many candidates at
once, and the daily task that keeps it current as time passes; and the
team's tasks (`Task`: to-dos with a due day, made by hand or by other apps,
which say where a task came from by a plain link, never by importing them).
It may import from core, accounts and people."""
