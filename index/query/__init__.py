"""Answering: retrieval, answer selection, the LLM path, conversations.

Imports point one way: query uses store and embedding, never ingest.
"""
