"""The studio domain: the 2013 measures as pure functions over msgspec Structs.

Nothing in this package reads a clock, opens a connection or imports a framework.
"""
