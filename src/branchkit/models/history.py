"""The assignment history file's columns (see ``core.history`` for what a row means)."""

#: One row per period a keeper kept a customer; ``from``/``to`` are months, both inclusive.
COLUMNS = ["customer_id", "keeper", "from", "to", "reason"]
