"""What `/start PAYLOAD` (a Telegram deep link) asks of the engine."""

from __future__ import annotations

import pytest

from bots.telegram.channel import invitation_link, start_action


def test_an_invitation_link_carries_its_territory() -> None:
    assert invitation_link("entraide_reze_bot", 3) == "https://t.me/entraide_reze_bot?start=join_3"


@pytest.mark.parametrize(
    ("args", "action"),
    [
        (None, "menu"),
        ([], "menu"),
        (["join_3"], "join:3"),
        (["ABC234"], "link:ABC234"),  # a link code, made on Matrix
        (["go"], "menu"),  # the "open the chat first" button of the group
        (["join_x"], "menu"),  # not a territory: nothing to join
        (["join_"], "menu"),
        (["a-b"], "menu"),
    ],
)
def test_the_payload_of_start_becomes_an_engine_action(
    args: list[str] | None, action: str
) -> None:
    assert start_action(args) == action
