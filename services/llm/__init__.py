"""Model backends behind LangChain's model interfaces; chains never know which one they get."""

from .factory import make_chat_model, make_token_counter, probe_backend, probe_slots
from .scorer import make_scorer

__all__ = [
    "make_chat_model",
    "make_scorer",
    "make_token_counter",
    "probe_backend",
    "probe_slots",
]
