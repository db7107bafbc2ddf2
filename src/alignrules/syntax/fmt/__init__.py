"""The parts of `alignrules fmt`: string spelling, comment placement, expression layout and
declaration layout; `syntax.printer` puts them together and checks the result."""
