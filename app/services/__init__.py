"""Flask-free domain layer. Functions take a Session and plain values, flush, and never commit."""
