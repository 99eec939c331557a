"""Database plumbing: SQLite set-up, read and write transactions, batched commits, the planner hint
and SQL the two engines spell differently."""
