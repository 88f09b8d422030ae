"""Real-browser tests: Debian's chromium driven by Playwright against Voilà and JupyterLab."""
