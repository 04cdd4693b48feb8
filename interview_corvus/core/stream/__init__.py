"""Text deltas to partial answers: the incremental JSON parser and the assembler."""
