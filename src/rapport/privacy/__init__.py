"""Privacy: the notices candidates agree to and the consents they give.

Owns PrivacyNotice (the versioned text a public form shows) and Consent (who
agreed to which version, when, where, and whether they withdrew). Retention,
access exports and erasure will live here too. May import `core`,
`accounts` and `people`.
"""
