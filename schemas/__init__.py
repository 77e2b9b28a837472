"""JSON Schema files (draft 2020-12): the single source of truth for every record format ftprep reads or writes."""
