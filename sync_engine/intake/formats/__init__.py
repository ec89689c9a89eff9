"""The readers behind ``sync_engine.intake.conversations``, one module per concern.

``model`` what every format becomes; ``fields`` single values (text, emails, phones, times);
``records`` one record's values into a Call or Meeting; ``report`` duplicate ids and the error cap;
``ics``, ``dialer_csv`` and ``jsonl`` the file formats. Callers import from ``sync_engine.intake.conversations``.
"""
