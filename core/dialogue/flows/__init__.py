"""The flows of the conversation, one module each; each declares its steps and actions."""
