"""The closed vocabularies of the NLU: intent names and the values of the `category` entity."""

from __future__ import annotations

from core.domain.vocabulary import Category

INTENTS: tuple[str, ...] = (
    "request_help",
    "offer_help",
    "accept_task",
    "affirm",
    "deny",
    "cancel_request",
    "task_done",
    "list_requests",
    "my_status",
    "greet",
    "thanks",
    "help",
    "emergency",
    "out_of_scope",
)

# The `category` entity takes exactly the values of the domain's Category.
CATEGORIES: tuple[str, ...] = tuple(category.value for category in Category)

ENTITIES: tuple[str, ...] = ("category", "place")
