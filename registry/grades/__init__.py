"""Performance grading (绩效分级, 003:51): applications, evidence, review, publicity, decisions, downgrades."""
