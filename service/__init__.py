"""ASEAN Pubs VDO-conference service."""
