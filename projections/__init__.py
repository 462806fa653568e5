"""The read side of casework: read models derived from the event store.

Each projection keeps its rows in tables of a *generation* (``register_studios_g3``) and
is read through a view of the same base name (``register_studios``), so that a rebuild can
fill fresh tables while the old ones serve, then switch the views in one transaction.
"""
