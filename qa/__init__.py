"""From a question to a cited answer: parse, retrieve, answer, evaluate; and the CLI."""
