"""Understanding free text (intents, categories, dates) in French and English.

The conversation layer takes any object with `parse(text, language=..., timezone=...)`
(`core.dialogue.engine.Interpreter`); the built-in model and the Rasa client will live here.
"""
