"""Use cases over a unit of work: the only layer the web and CLI entry points call.

Every function takes a `UnitOfWork` (built per request from the session factory) and, where a record is
read or changed, an `Actor` (who is asking); it scopes the query to the actor's clinic, writes an audit
event, commits, and returns frozen view objects from `nervetrack.services.views` (never ORM rows).
Errors are the typed ones in `nervetrack.services.errors` plus the domain's `InvalidInput`.
"""
