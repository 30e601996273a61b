"""Engagement: how warm each candidate is, from the Activity log.

It owns the score (`scoring`, a pure function of a candidate's events), the
service that writes it to Candidate.engagement_score for many candidates at
once, and the daily task that keeps it current as time passes. It may import
from core and people."""
