"""Status reports, one subject in five modules:

- ``rules``     what submit requires, when rows are locked, what may be reopened (pure functions);
- ``queries``   looking up reports and rows (``get_*`` raises, ``find_*`` returns None);
- ``commands``  start, save a row, submit, reopen, record the committee (in the caller's transaction);
- ``view``      the job centre's page: rows, last year, and the actions open to the user;
- ``history``   every change to a row.
"""
