"""Completion workers: in-process (asyncio) and Celery, sharing one job routine."""
