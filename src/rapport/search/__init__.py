"""Search: the query language, the full-text index that keeps pace with
every write, and segments (saved queries).

It owns the parser (`query`), the translation of a parsed query into a
database query for the acting user (`compiler`), the per-database full-text
index (`index`), segments, and the search pages. It may import from `core`,
`accounts` and `people`; `people` does not import from it, except through
the hooks its services call to keep the index current."""
