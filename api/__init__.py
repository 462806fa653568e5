"""The HTTP API of casework (its contract: api/openapi.json and the README), on Litestar."""
