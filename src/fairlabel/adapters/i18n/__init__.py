"""Languages, numbers, money and times for the reader: gettext catalogs (Babel) and the
reader's locale and time zone.

* :mod:`.catalogs` reads the ``.po`` catalogs under ``locale/`` (one language a folder, one or
  more files each) into gettext translations, once per process.
* :mod:`.context` holds the reader of the request being answered (language, Babel locale, time
  zone) and the ``gettext`` functions the templates and pages call.
* :mod:`.formats` writes money, numbers, dates and durations for that reader, reads money as
  they type it, and says a domain :class:`~fairlabel.domain.messages.Msg` in their language.
"""
