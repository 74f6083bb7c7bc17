"""The platform-free core of entraide: domain, services, persistence and the conversation layer."""
