"""Bulk seeds: the five-year subdistrict (``python -m live demo --years 5``) and its text corpus."""
