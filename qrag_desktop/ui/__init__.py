"""The desktop window: widgets, Qt models and the thread bridge to the engine (``qrag_desktop.core``)."""
