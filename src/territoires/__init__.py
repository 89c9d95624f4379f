"""Territoires: shared digital services for the local authorities of a region."""
