"""Pages of the training catalogue: public, body-scoped, operator."""
