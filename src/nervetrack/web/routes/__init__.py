"""Routers per audience: api (JSON for clinic systems); patient and clinician (HTML pages)."""
