"""People: the talent pool itself.

Owns Candidate and its contact points, the skill vocabulary, tags, pools,
notes, custom fields and sharing. Every write goes through services.py and
records an Activity; every read goes through selectors.py, scoped to the
acting user. May import core and accounts; knows nothing of outreach, search
or jobs.
"""
