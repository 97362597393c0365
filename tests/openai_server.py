"""OpenAI-compatible localhost server fixture (filled in by the answer work)."""
