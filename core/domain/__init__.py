"""The domain of entraide: plain rules about members, help requests and polls."""

# The observatory's tables join the metadata whenever any part of the domain is imported, so
# that `Base.metadata` (migrations, `create_all`) always holds them. Imported here rather than
# from model.py, which they build on: that keeps the import graph without a cycle.
from core.domain import observatory_tables as observatory_tables
