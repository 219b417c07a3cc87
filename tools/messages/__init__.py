"""The message catalogs: extract every text the code and pages show, update the ``.po`` files.

``python -m tools.messages`` (``make messages``) writes ``messages.pot`` beside the catalogs
and adds each new text, untranslated, to ``<language>/LC_MESSAGES/messages.po``;
``python -m tools.messages --check`` lists the texts a language lacks (the test suite runs the
same check).
"""
