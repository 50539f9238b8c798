"""Open Badges 2.0: build, sign, bake and verify badges.

Framework-free: never imports flask or app.
"""
