"""Steps that run inside a use case's transaction, shared by several use cases. They take the
open transaction, never open one, and never commit: the use case that calls them does."""
