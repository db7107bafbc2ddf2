"""Typed IR to Python source text."""
