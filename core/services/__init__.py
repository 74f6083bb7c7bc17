"""Services: the only entry points of the core for channels, the CLI and the scheduler.

Each service function takes a `UnitOfWork` first, changes the domain, writes the audit log and
publishes events; the caller commits, so one message of a member is one transaction.
"""
