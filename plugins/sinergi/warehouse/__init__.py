"""The PostgreSQL warehouse: where it is, how to reach it, and its bootstrap."""
