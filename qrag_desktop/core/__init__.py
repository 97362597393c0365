"""The engine: documents, chunking, models, store, retrieval, answering. Imports no Qt."""
