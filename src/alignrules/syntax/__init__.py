"""Ruleset text to AST: the grammar, the parser and the surface syntax tree."""
