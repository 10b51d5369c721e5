"""Stage 6, the reports: one module per notebook — ``wijkprofiel``, ``programmamonitor``,
``bestuursoverzicht``, ``datakwaliteit``, ``verkenner`` — plus ``common`` (opening the
workspace, the header, the sources). A notebook imports its report module and calls one
function per section::

    from helpers.reports import wijkprofiel as rapport
    profiel = rapport.start(workspace, area_code, year)
    rapport.spine(profiel)
"""

__all__ = ["bestuursoverzicht", "common", "datakwaliteit", "programmamonitor", "verkenner",
           "wijkprofiel"]
