"""The HTTP API of casework (../shared/spec/API.md), on Litestar with msgspec schemas."""
