"""Stand-in model fixtures (filled in by the models work)."""
