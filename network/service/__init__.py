"""The service layer: what the API, the pages and the CLI do, implemented once.

``analyses`` answers the analysis queries; ``records`` writes organisations and
links; ``tokens`` makes and revokes API tokens; ``transfer`` imports, exports
and seeds; ``merge`` merges two records of one organisation; ``audit`` names
who writes; ``scope`` is the one filter schema; ``drawing`` the one drawing path.
Every write opens ``store.transaction(actor=...)`` and records its audit entry inside it.
"""

from network.service.transfer import PROGRESS_THRESHOLD, demo_files, import_csv, seed_demo

__all__ = ["import_csv", "seed_demo", "demo_files", "PROGRESS_THRESHOLD"]
