"""Rule functions, one module per concern; each reads its numbers only from the pack."""
