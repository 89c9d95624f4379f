"""Agent pages of e-actes (body-scoped, under /o/<siren>/actes/)."""
