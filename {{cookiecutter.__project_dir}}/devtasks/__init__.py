"""The bodies of the project's Invoke tasks, one module per concern.

Only the standard library and Invoke are imported here, so the tasks run from any
Invoke, before `.venv` exists; everything else runs as a command inside `.venv`.
"""
