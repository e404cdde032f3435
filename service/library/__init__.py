"""The public library: documents such as best-practice manuals and adopted minutes that staff
mark public, searchable by title, country, year and language."""
