"""Web: the base templates, shared components, static files and the pages
that belong to no single app. Nothing imports from web."""
