"""Model backends behind LangChain's model interfaces; chains never know which one they get."""

from .factory import make_chat_model, make_token_counter, probe_backend, probe_slots

__all__ = ["make_chat_model", "make_token_counter", "probe_backend", "probe_slots"]
