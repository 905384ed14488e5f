"""A fake model server in a process of its own (`python -m tests.model_process PORT`), so that
a test of the service measures the service alone: it answers translations as tests.test_pool."""

from __future__ import annotations

import sys
import threading

from tests.fake_server import FakeOpenAIServer
from tests.test_pool import translation

if __name__ == "__main__":
    with FakeOpenAIServer(reply=translation, port=int(sys.argv[1])):
        threading.Event().wait()
