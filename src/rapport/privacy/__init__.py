"""Privacy: the notices candidates agree to and the consents they give.

Owns PrivacyNotice (the versioned text a public form shows), Consent (who
agreed to which version, when, where, and whether they withdrew) and Erasure
(the record, naming nobody, that a candidate was erased). Retention and
access exports will live here too. May import `core`, `accounts` and
`people`; `privacy.erasure` also imports the models of every app that keeps
a person's data (inbox, outreach, sourcing), to remove it.
"""
