"""Every page of every role, looked at in a real browser: ``pages.py`` lists them,
``site.py`` builds the demo site they show, ``browse.py`` serves it and opens Chromium;
``python -m tools.screenshots`` (``make screenshots``) writes a PNG of each, and
``tests/e2e/test_accessibility.py`` checks each with axe-core."""
