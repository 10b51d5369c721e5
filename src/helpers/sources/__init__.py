"""Source readers, one module per source: ``kwb`` (CBS Kerncijfers wijken en buurten),
``kaart`` (wijk- en buurtkaart), ``registrations`` (the gemeente's own data) and ``demo``
(the demo gemeente generator)."""

__all__: list[str] = []
