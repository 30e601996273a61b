"""Sourcing and intake: how people enter the talent pool.

Owns imports (ImportJob, its per-row report ImportRow, saved ColumnMappings),
identity (`identity`: exact matches on normalised email, phone and profile
URLs; fuzzy matches for review), the review queue of possible duplicates
(DuplicateReview) and merges that can be undone (Merge), résumés (Resume:
stored files, their text and what was read from them), the public
talent-community sign-up (CommunitySignup, double opt-in), referrals
(Referral), capture from profile pages, and the public careers site with
its apply form (careers*).

May import `core`, `accounts`, `people`, `search` and `privacy`; the
talent community also `outreach` (its SMTP transport for the confirmation
email, the preference centre it leads to), referrals `engagement` (the
band they show), and the careers site `jobs` (the jobs it lists, the
applications it opens) and `outreach` (the confirmation email).
"""
