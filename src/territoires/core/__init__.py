"""Cross-cutting helpers: permissions errors, task retries, time."""
