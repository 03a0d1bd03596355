"""The audit log: who signed in, and what staff did to accounts, sessions and residents' check-ins.

models, operations and receivers import no Flask (the relay records takes and closes through them);
views (the admin page and its CSV) and api (GET /api/v1/audit) are the web layer.
"""
