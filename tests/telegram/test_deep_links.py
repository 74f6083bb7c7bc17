"""What `/start PAYLOAD` (a Telegram deep link) asks of the engine."""

from __future__ import annotations

import pytest

from bots.telegram.links import invitation_link, start_action


def test_an_invitation_link_carries_its_code() -> None:
    code = "Zx8_-Qv3mN0pLk2Jh7Gf5Ds4Aq1Wz9Xc"
    assert (
        invitation_link("entraide_reze_bot", code)
        == f"https://t.me/entraide_reze_bot?start=join_{code}"
    )


@pytest.mark.parametrize(
    ("args", "action"),
    [
        (None, "menu"),
        ([], "menu"),
        (["join_Zx8_-Qv3mN0pLk2Jh7Gf5Ds4Aq1Wz9Xc"], "join:Zx8_-Qv3mN0pLk2Jh7Gf5Ds4Aq1Wz9Xc"),
        (["join_3"], "join:3"),  # an old link: the engine says it is no longer valid
        (["ABC234"], "link:ABC234"),  # a link code, made on Matrix
        (["go"], "menu"),  # the "open the chat first" button of the group
        (["join_x"], "join:x"),  # a wrong code: the engine says so, kindly
        (["join_"], "menu"),
        (["join_" + "x" * 40], "menu"),  # longer than any code
        (["join_a.b"], "menu"),
        (["a-b"], "menu"),
    ],
)
def test_the_payload_of_start_becomes_an_engine_action(
    args: list[str] | None, action: str
) -> None:
    assert start_action(args) == action
