"""Pure LangChain runnables and logic: they take a model as an argument and do no I/O."""
