"""The language server (`alignrules lsp`): needs the `lsp` extra (pygls, lsprotocol)."""
