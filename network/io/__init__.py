"""Import and export of the partner network in the formats partners already use."""
