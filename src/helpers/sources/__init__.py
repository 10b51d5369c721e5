"""Stage 1, the sources: a raw file in, a tidy frame (or areas) out.

One module per kind of source — ``kwb`` (CBS Kerncijfers wijken en buurten: the
``kwb-YYYY`` download and StatLine exports), ``kwb_odata`` (tables downloaded from CBS's
OData API), ``kaart`` (the wijk- en buurtkaart, its geometry and its attribute tables),
``registrations`` (the gemeente's own data), ``gebieden`` (CBS's gemeente → provincie
table) — plus what they share (``csvtable``,
``tabular``, ``variables``: the variable mapping, ``boundaries``: code and boundary
changes) and ``demo`` (the demo gemeente generator).

``READERS`` is the registry (``registry.Reader``): the importer, the workspace and
``stuurkit check`` find the reader of a file here, in this order.
"""

from helpers.sources import gebieden, kaart, kaartstats, kwb, kwb_odata, registrations
from helpers.sources.registry import Probe, Reader, Registry, Request

READERS = Registry([
    kwb.DOWNLOAD,
    kwb.STATLINE,
    gebieden.READER,  # an OData folder too: before the KWB tables' reader
    kwb_odata.READER,
    kaart.READER,
    registrations.READER,
    gebieden.TABLE_READER,  # a column of PVdd codes: before the kaart's attribute tables
    kaartstats.ATTRIBUTES,
])

__all__ = ["READERS", "Probe", "Reader", "Registry", "Request"]
