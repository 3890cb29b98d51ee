"""Excel and CSV, written and read: the domain's rows in, the domain's cells out.

``tables`` writes a round's or a report's statuses as CSV and .xlsx; ``offline`` writes the
workbook to fill in offline and knows its layout; ``reading`` takes a filled-in workbook apart,
refusing what is not a plain workbook of ours. The domain never imports openpyxl.
"""
