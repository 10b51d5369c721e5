"""Stage 7, publishing: an executed report notebook → one self-contained Dutch HTML file
(``html``), an Excel workbook of its tables (``workbook``), the portal page
(``portal``) and the privacy scan of everything published (``audit``)."""

from helpers.publish.html import notebook_to_html, publish, publish_notebook
from helpers.publish.portal import write_index
from helpers.publish.workbook import report_tables, write_workbook

__all__ = ["notebook_to_html", "publish", "publish_notebook", "write_index", "report_tables",
           "write_workbook"]
