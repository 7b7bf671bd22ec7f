"""cssnet: the partner network and coordination graph of a community health response."""

__version__ = "0.1.0"

from network import validator_words  # noqa: E402,F401 - validators refuse in the caller's language
