"""Every input of the service described once, as pydantic models (no Flask: the relay imports them).

The API validates request bodies and queries with them, the relay its frames, and the OpenAPI
document is generated from them. Their limits come from webapp/limits.py.
"""
