"""qrag-desktop: a private knowledge base on the desktop."""

__version__ = "0.1.0"
APP_NAME = "qrag-desktop"
