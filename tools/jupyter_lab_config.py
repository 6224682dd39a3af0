"""JupyterLab settings for `make lab` (and the JupyterLab test, which starts the same server).

Containers and CI run as root, where Jupyter refuses to start without ``allow_root``.
"""

c = get_config()  # noqa: F821 (Jupyter provides get_config when it loads this file)

c.ServerApp.allow_root = True
