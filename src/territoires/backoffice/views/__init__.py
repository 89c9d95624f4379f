"""Operator (GIP) back-office pages, one module per area."""
