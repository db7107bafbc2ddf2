"""`alignrules doc`: a reviewer's document of a ruleset, as Markdown and as a static HTML site.

`model` gathers what a reviewer reads (metadata, rule text, parameters, examples and their
coverage); `markdown` and `site` write it; `highlight` colours rule text by lark's tokens.
"""
