"""Orders: lines, the lifecycle state machine, numbers per channel, cancellations and edits."""
