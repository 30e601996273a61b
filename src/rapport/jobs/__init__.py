"""Jobs: roles, their pipelines, applications, interviews and rediscovery.

The jobs app owns a Job (a role the team is hiring for), its Stages (copied
from the organisation's default pipeline when the job is made, then edited
per job), an Application per candidate and job (unique), the StageChange
history behind time in stage and time to hire, the automations that run when
an application enters a stage, interviews with their scorecards, the
questions of the careers-site apply form, and candidate embeddings for the
optional semantic signal of rediscovery.

It may import `core`, `accounts`, `people`, `search`, `outreach` and
`engagement` (the recruiter's tasks that stage automations create); nothing
below it imports `jobs`, and only `sourcing` (the careers site) and `api`
above it do. Hiring managers see the candidates of their own jobs
through the visibility grant this app registers with `people.selectors`.
"""
