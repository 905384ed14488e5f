"""Pure LangChain runnables and logic: they take a model as an argument and never do I/O of their own."""
