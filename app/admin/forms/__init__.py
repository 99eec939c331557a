"""Staff forms: shape validation only (required, length, choices, number ranges); rules live in services."""
