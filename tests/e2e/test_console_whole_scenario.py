"""Real `entraide chat` processes, as a French senior and a volunteer would use them.

Two terminals on one SQLite file (pipes): Alice asks for help "jeudi matin" and the time stays
a window (no hour is invented), she corrects it at the summary, Bob accepts and both learn the
safety word, Bob reports "1h30", Alice answers "merci"; `entraide export` shows 1.5 hours and
the thanks. Then one terminal (a pseudo-terminal): the prompt after each answer, how to quit,
and Ctrl-C or Ctrl-D ending the chat kindly (issue 11, "The first minutes").
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from core.i18n import translate
from core.services.notifications.door import SAFETY_WORD_NOTICE
from tests.e2e.test_console_two_terminals import ADDRESS, PHONE, Terminal, entraide

pytestmark = pytest.mark.slow

# A window shown as said: "jeudi 3 décembre, le matin" (the day and month vary with today).
THURSDAY_MORNING = re.compile(r"jeudi \d{1,2}(?:er)? [a-zéû]+, le matin")
FRIDAY_MORNING = re.compile(r"vendredi \d{1,2}(?:er)? [a-zéû]+, le matin")
AN_HOUR = re.compile(r"\d{1,2} ?(?::\d{2}|h\b)")
AT_THE_DOOR = "À la porte, dites ce mot de sécurité"
HELP = (
    "I connect the members of the cooperative who help each other.\n"
    "Press a button, or write what you need in your own words.\n"
    'Write "menu" at any time to come back here, or "coordinator" to reach a person.'
)
SUMMARY = "Here is your request:\n{category}, {when}, {place}.\nShall I send it to the volunteers?"
SEND_IT = translate("fr", SUMMARY).splitlines()[-1]  # "Est-ce que je l'envoie aux bénévoles ?"
PROMPT = re.compile(r"(?:^|[\r\n])> ")  # the prompt at the start of a line (not "bot> ")


def fr(key: str) -> str:
    """The French text of a message id: its first line, up to its first parameter (what the
    terminal shows on one line)."""
    return translate("fr", key).splitlines()[0].split("{", 1)[0].strip()


class SlowTerminal(Terminal):
    """A terminal that waits longer: two Python processes start on a busy machine."""

    async def expect(self, text: str, timeout: float = 120) -> None:
        await super().expect(text, timeout)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Rezé with Alice (asks, in French) and Bob (volunteer for shopping, approved)."""
    environment = {
        **os.environ,
        "ENTRAIDE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'coop.sqlite3'}",
        "ENTRAIDE_CONFIG_FILE": str(tmp_path / "absent.toml"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    entraide(environment, "territory", "add", "Rezé", "-n", "Trentemoult")
    for name, role, extra in (
        ("Alice", "requester", ["--phone", PHONE, "--address", ADDRESS]),
        ("Bob", "volunteer", ["--skill", "shopping"]),
    ):
        entraide(
            environment,
            "member",
            "add",
            name,
            "--role",
            role,
            "--territory",
            "Rezé",
            "--language",
            "fr",
            "--neighbourhood",
            "Trentemoult",
            *extra,
        )
    entraide(environment, "member", "approve", "Bob")
    return environment


def last_block(output: str, start: str) -> str:
    """What the terminal printed from the last line holding `start` on."""
    return output[output.rindex(start) :]


async def test_a_request_for_thursday_morning_goes_from_asking_to_thanks_in_two_terminals(
    env: dict[str, str],
) -> None:
    bob, alice = await SlowTerminal.open(env, "Bob"), await SlowTerminal.open(env, "Alice")
    for terminal in (alice, bob):
        await terminal.expect(fr("What would you like to do?"))

    for line in ("1", "1"):  # I need help, shopping
        await alice.type(line)
    await alice.expect(
        fr(
            "When do you need help? Choose, or write a day and a time "
            "(for example: Thursday 10am)."
        )
    )
    await alice.type("jeudi matin")
    await alice.expect(fr("Where? Choose, or write the place (for example: the pharmacy)."))
    await alice.type("1")  # at my home
    await alice.expect(SEND_IT)
    summary = last_block(alice.output, fr(SUMMARY))
    assert THURSDAY_MORNING.search(summary), summary
    assert not AN_HOUR.search(summary), summary

    await alice.type("non, plutôt vendredi matin")  # a correction at the summary
    await alice.expect("vendredi")
    await alice.expect(SEND_IT)
    corrected = last_block(alice.output, fr(SUMMARY))
    assert FRIDAY_MORNING.search(corrected), corrected
    assert not AN_HOUR.search(corrected), corrected
    await alice.type("oui")
    await alice.expect(
        fr(
            "Your request is sent. I told one volunteer. "
            "I will write to you as soon as someone accepts."
        )
    )

    await bob.expect("vendredi")
    offer = last_block(bob.output, "bot> ")
    assert FRIDAY_MORNING.search(offer) and not AN_HOUR.search(offer), offer
    await bob.type("1")  # I'll help
    await bob.expect(f"{PHONE}")
    await bob.expect(AT_THE_DOOR)
    card = last_block(bob.output, AT_THE_DOOR)
    word = card.split(":", 1)[1].splitlines()[0].strip()
    assert len(word.split()) == 2, card
    notice = translate("fr", SAFETY_WORD_NOTICE).format(safety_word=word, volunteer="Bob")
    for line in notice.splitlines():  # the word, and who will say it
        await alice.expect(line)

    await bob.type("1")  # Done
    await bob.expect(fr("Thank you! How many hours did it take?"))
    await bob.type("1h30")
    await bob.expect(fr("Recorded. Thank you for your help!"))
    await alice.expect(fr("Say thank you"))
    await alice.type("merci")
    await alice.expect(fr("Your thanks have been sent."))

    for terminal in (alice, bob):
        await terminal.close()
    exported = json.loads(entraide(env, "export", "--member", "Alice"))
    [request] = exported["requests"]
    assert (request["state"], request["volunteer"], request["hours"]) == ("done", "Bob", 1.5)
    assert request["thanked_at"] is not None
    assert request["when_kind"] == "morning"
    assert word not in json.dumps(exported)  # the safety word stays between the two of them


def _own_terminal() -> None:
    """In the child: a session of its own whose controlling terminal is the pseudo-terminal,
    so that Ctrl-C typed there sends it SIGINT, as in a real terminal."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Tty:
    """`entraide chat --as Alice` in a pseudo-terminal, as a person at a keyboard."""

    def __init__(self, env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bots.cli", "chat", "--as", "Alice", "--territory", "Rezé"],
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            preexec_fn=_own_terminal,  # a new session whose terminal is this one
        )
        os.close(slave)
        self.output = ""

    def expect(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} never came; got:\n{self.output}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the process ended and closed the terminal
                    raise AssertionError(f"closed before {text!r}:\n{self.output}") from None
                self.output += chunk.decode(errors="replace")

    def expect_prompt(self, *, after: int, timeout: float = 120) -> None:
        """Wait for the prompt at the start of a line printed after position `after`."""
        deadline = time.monotonic() + timeout
        while not PROMPT.search(self.output, after):
            if time.monotonic() > deadline:
                raise AssertionError(f"no prompt after the answer:\n{self.output}")
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if ready:
                self.output += os.read(self.master, 4096).decode(errors="replace")

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def ended(self, timeout: float = 60) -> int:
        try:
            code = self.process.wait(timeout)
        finally:
            while True:  # what it printed last
                ready, _, _ = select.select([self.master], [], [], 0.2)
                if not ready:
                    break
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                self.output += chunk.decode(errors="replace")
            os.close(self.master)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def test_the_console_says_how_to_quit_and_prompts_after_each_answer(
    env: dict[str, str],
) -> None:
    terminal = Tty(env)
    try:
        terminal.expect(translate("fr", "To quit, press Ctrl-D or Ctrl-C."))
        terminal.expect(fr("What would you like to do?"))
        terminal.expect("\n> ")  # after the menu, not before it
        menu_at = terminal.output.index(fr("What would you like to do?"))
        assert not PROMPT.search(terminal.output[:menu_at]), "no prompt before the menu"
        terminal.type("aide\n")
        terminal.expect(fr(HELP))
        answer_at = terminal.output.rindex(fr(HELP))
        terminal.expect_prompt(after=answer_at)  # the prompt again, once the bot has answered
        terminal.type("\x04")  # Ctrl-D
        assert terminal.ended() == 0
    finally:
        terminal.kill()
    assert translate("fr", "Goodbye! Your messages are kept.") in terminal.output
    assert "Traceback" not in terminal.output


def test_ctrl_c_ends_the_console_at_once_without_a_traceback(env: dict[str, str]) -> None:
    terminal = Tty(env)
    try:
        terminal.expect("\n> ")
        started = time.monotonic()
        terminal.type("\x03")  # Ctrl-C: the terminal sends SIGINT
        code = terminal.ended()
        assert time.monotonic() - started < 10  # at once (a poll of the input is 0.3 s)
    finally:
        terminal.kill()
    assert code in (0, 130), terminal.output
    assert translate("fr", "Goodbye! Your messages are kept.") in terminal.output
    assert "Traceback" not in terminal.output and "KeyboardInterrupt" not in terminal.output
