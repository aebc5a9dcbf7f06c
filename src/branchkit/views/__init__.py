"""Reports built from core results, shared by the commands (``plan``) and the month-end pack (``report``)."""
