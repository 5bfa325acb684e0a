"""Normalise what `add` accepts (a string, a message dict, a list of them) into messages."""

from __future__ import annotations

from typing import Any

from graphmem.errors import ValidationError, check_encodable
from graphmem.models import Message

_ROLES = {"user", "assistant", "system", "tool", "developer"}


def _message(item: Any, index: int | None) -> Message:
    where = "messages" if index is None else f"messages[{index}]"
    if not isinstance(item, dict):
        raise ValidationError(f"{where} must be a string or a dict with 'role' and 'content'", field="messages")
    content = item.get("content")
    if not isinstance(content, str):
        raise ValidationError(f"{where}['content'] must be a string", field="messages")
    role = item.get("role", "user")
    if role not in _ROLES:
        raise ValidationError(f"{where}['role'] must be one of {sorted(_ROLES)}, got {role!r}", field="messages")
    name = item.get("name")
    if name is not None and not isinstance(name, str):
        raise ValidationError(f"{where}['name'] must be a string", field="messages")
    return Message(role=role, content=content, name=name or None)


def normalise_messages(messages: Any, max_chars: int | None = None) -> list[Message]:
    """Messages with non-blank content; system messages are kept (extractors skip them). One longer than
    `max_chars` is refused before any work (config `max_message_chars`)."""
    if isinstance(messages, str):
        items = [Message(role="user", content=messages)]
    elif isinstance(messages, dict):
        items = [_message(messages, None)]
    elif isinstance(messages, list):
        items = [_message(m, i) for i, m in enumerate(messages)]
    else:
        raise ValidationError("messages must be a string, a message dict or a list of them", field="messages")
    check_length([m.content for m in items], max_chars, "messages")
    for item in items:
        if item.name:
            check_encodable(item.name, "a message's name", "messages")
    kept = [m for m in items if m.content.strip()]
    if not kept:
        raise ValidationError("messages must contain some non-empty content", field="messages")
    return kept


def check_length(texts: list[str], max_chars: int | None, field: str) -> None:
    """ValidationError naming `field` for the first text longer than `max_chars` (None: any length), or not
    storable as UTF-8."""
    for index, text in enumerate(texts):
        where = field if len(texts) == 1 else f"{field}[{index}]"
        if max_chars is not None and len(text) > max_chars:
            raise ValidationError(f"{where} is {len(text):,} characters long; at most {max_chars:,} are taken "
                                  "(config max_message_chars)", field=field)
        check_encodable(text, where, field)
