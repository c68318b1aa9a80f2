"""The audit log's readers and keepers, above the domains: search and CSV export (search.py), the audit pages
(views.py), `flask audit verify|checkpoint|export` and `flask backup|restore` (cli.py, backup.py).

The writer stays on the ground floor (`registry/core/audit.py`, with the chain's arithmetic in `audit_chain.py`
and the signed checkpoints in `audit_checkpoints.py`): every domain records through it, and the models
(`core.models.AuditEntry`, `AuditCheckpoint`) stay in core beside it.
"""
