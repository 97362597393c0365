"""Local models: where they come from (``loading``; ``download`` fetches one once), where they run
(``device``) and what they do (``embedder``, ``reranker``). ``standin`` builds random-weight
look-alikes of the real models for tests and benchmarks.

Import the submodules themselves. This package imports nothing on purpose: when several threads
imported it for the first time at once, package-level imports of the submodules gave "cannot
import name ... from partially initialized module" (seen at app start-up under Xvfb).
"""
