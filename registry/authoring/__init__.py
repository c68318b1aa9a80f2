"""Officials' policy packs (issue 20): drafts copied from a pack, cited edits, review, activation."""
