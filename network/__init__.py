"""cssnet: the partner network and coordination graph of a community health response."""

__version__ = "0.1.0"
