"""The read side's queries, one module per resource: the JSON handlers and the console call them."""
