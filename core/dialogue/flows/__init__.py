"""The flows of the conversation, one module each; `registry` maps actions and steps to them."""
