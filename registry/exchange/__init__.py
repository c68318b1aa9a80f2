"""Excel/CSV exchange (issue 8): templates, import with a full report, export; headers from registry.core.dictionary."""
