"""qrag-desktop: a private knowledge base on the desktop."""

import os

__version__ = "0.1.0"
APP_NAME = "qrag-desktop"

# Arrow (inside Milvus Lite) allocates through malloc instead of its own mimalloc pool, which kept
# what each write freed: indexing the 269-file corpus peaked 140 MB lower (bench/README.md, "Memory
# while indexing a bigger folder"). Arrow reads this when it first allocates, so it is set before
# anything imports pyarrow; a value the user set stays.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
