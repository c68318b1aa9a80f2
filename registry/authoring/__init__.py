"""Officials' policy packs (issue 20): drafts copied from a pack, policy documents, schema forms, cited edits,
review, activation, versions and YAML files."""
