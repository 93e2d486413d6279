"""The terminal as a chat: the embedded demo's only platform, and an operator's option."""
