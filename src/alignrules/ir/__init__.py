"""The typed intermediate representation: names resolved, a type on every expression."""
