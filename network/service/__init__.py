"""The service layer: what the API, the pages and the CLI do, implemented once.

``analyses`` answers the analysis queries, ``transfer`` imports, exports and seeds.
"""

from network.service.transfer import PROGRESS_THRESHOLD, demo_files, import_csv, seed_demo

__all__ = ["import_csv", "seed_demo", "demo_files", "PROGRESS_THRESHOLD"]
