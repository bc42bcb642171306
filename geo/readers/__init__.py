"""Readers for the files users really have: boundaries, records, services, police.uk."""
