"""The shared database and what lives in it: memory, dictionary, jobs."""
