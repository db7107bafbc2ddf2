"""AST to typed IR: resolves names against the schema and checks every expression's type."""
