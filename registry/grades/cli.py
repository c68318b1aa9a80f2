"""stub"""
def register(app):
    pass
