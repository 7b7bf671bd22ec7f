"""The Louvain helper process (``python -m network.analysis._louvain_helper``; see ``louvain._Helper``)."""

from network.analysis.louvain import serve_helper

if __name__ == "__main__":
    serve_helper()
