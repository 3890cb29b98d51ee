"""The reports that leave the system, as data: what the consolidated report for the KKR and each
municipality's report for its council show, one subject in five modules:

- ``shapes``        the typed content of both reports (JSON-serialisable: publish freezes it);
- ``consolidated``  the consolidated report (samlet afrapportering), built from the rollup;
- ``council``       one municipality's report for its council (the Fremdriftsskema filled in);
- ``texts``         the coordinator's texts for a round;
- ``renders``       keeping the PDFs rendered as the data change (queue, claim, store, find).

Rendering (``app.pdf``) reads these shapes; nothing here knows about HTML or PDF.
"""
