"""`ftprep validate`: every defect on every line of a dataset file, for every target, with token counts.

lines.py reads bytes into records with file-level findings; conversation.py reads any known record
shape into one Conversation; record_checks.py runs the target's schema and semantic rules (a quick
predicate first, jsonschema only to explain); dataset_checks.py finds what only shows across records;
costs.py prices the file; engine.py runs it all over chunks in parallel processes.
"""
