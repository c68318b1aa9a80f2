"""Demo data (placeholder until written)."""
def build_demo(force=False):
    return None
def print_logins(echo):
    pass
