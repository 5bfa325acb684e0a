"""What `add` accepts as messages (graphmem/ingest/messages.py)."""

from __future__ import annotations

from typing import Any

import pytest

from graphmem.errors import ValidationError
from graphmem.ingest.messages import normalise_messages
from graphmem.models import Message


def test_string_is_one_user_message() -> None:
    assert normalise_messages("I love pizza") == [Message(role="user", content="I love pizza")]


def test_dict_is_one_message_and_role_defaults_to_user() -> None:
    assert normalise_messages({"content": "hi there"}) == [Message(role="user", content="hi there")]
    assert normalise_messages({"role": "assistant", "content": "ok"}) == [Message(role="assistant", content="ok")]


def test_list_keeps_order_roles_and_names() -> None:
    messages = normalise_messages([
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "I'm Alex", "name": "alex"},
        {"role": "assistant", "content": "Hi Alex", "name": ""},
        {"role": "tool", "content": "{}"},
    ])
    assert [(m.role, m.content, m.name) for m in messages] == [
        ("system", "be brief", None), ("user", "I'm Alex", "alex"),
        ("assistant", "Hi Alex", None), ("tool", "{}", None)]


def test_blank_messages_are_dropped() -> None:
    assert normalise_messages([{"role": "user", "content": "  "}, {"role": "user", "content": "x"}]) == [
        Message(content="x")]


@pytest.mark.parametrize("messages", [
    None,
    42,
    b"bytes",
    ("a tuple",),
    [],
    "",
    "   ",
    [{"role": "user", "content": " "}],
    ["a plain string in a list"],
    {"role": "user"},  # missing content
    {"role": "user", "content": None},
    {"role": "user", "content": ["parts"]},
    {"role": "robot", "content": "beep"},  # bad role
    {"role": None, "content": "x"},
    [{"role": "user", "content": "ok"}, {"role": "villain", "content": "x"}],
    {"role": "user", "content": "x", "name": 7},
])
def test_bad_messages_name_the_field(messages: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_messages(messages)
    assert caught.value.field == "messages"


def test_error_says_which_message_is_wrong() -> None:
    with pytest.raises(ValidationError, match=r"messages\[1\]"):
        normalise_messages([{"content": "fine"}, {"role": "robot", "content": "beep"}])
