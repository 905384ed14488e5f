"""Grounded proofreading: deterministic passive-voice and style checks, and LLM grammar
corrections turned into issues whose offsets Dragoman computes itself."""
