"""Names for the demo gemeente "Voorbeeldstad" (fictional; any likeness is chance)."""

from __future__ import annotations

__all__ = ["WIJK_NAMES", "BUURT_NAMES", "KIND_NAMES"]

# index 0 is the city centre; the others follow the wijk seeds (inner ring, outer ring)
WIJK_NAMES = [
    "Binnenstad",
    "Parkwijk",
    "Rivierkwartier",
    "Havenwijk",
    "Kloosterveld",
    "De Akkers",
    "Molenhoek",
    "De Horsten",
    "Hoogland",
    "Vogelwijk",
    "Kanaalzone",
]

BUURT_NAMES = [
    "Markt", "Domplein", "Kerkbuurt", "Havenkwartier", "Vismarkt", "Begijnhof", "Stationsgebied",
    "Museumkwartier", "Lange Gracht", "Oude Werf", "Hofstede", "Bisschopshof", "Waterpoort",
    "Nieuwe Gracht", "Singelpark", "Kadekwartier", "Bleekveld", "Lindenhof", "Parkzicht",
    "Tuindorp", "Schildersbuurt", "Componistenbuurt", "Bloemenbuurt", "Bomenbuurt", "Sterrenwijk",
    "Klaverveld", "Ridderhof", "Beekdal", "Kastanjelaan", "Eikenhorst", "Wilgenweide",
    "Populierenbuurt", "Berkenrode", "Essenburg", "Iepenhof", "Plataanbuurt", "Kersenbogerd",
    "Appelgaard", "Perenhof", "Molenwijk", "Zeilmakersbuurt", "Lijnbaan", "Touwslagerij",
    "Ververij", "Zwanenveld", "Reigersbos", "Meeuwenhoek", "Kievitsveld", "Merelhof", "Lijsterbes",
    "Uilenburg", "Valkenhorst", "Spechtenbos", "Mussenhof", "Zilverschoon", "Dotterbloem",
    "Boterbloem", "Korenbloem", "Heidebloem", "Zonnedauw", "Oeverlanden", "Dijkzicht",
    "Polderweg", "Slotenveld", "Weidebuurt", "Kampen", "Esdorp", "Brink", "Hoeve Ter Linde",
    "Nieuw Hoogland", "Oud Hoogland", "Veldhuizen", "Boerderijweg", "Buitenhof", "Tolhuis",
    "Sluiskwartier", "Jachthaven", "Scheepswerf", "Kraanbuurt", "Dokken", "Spoorzone",
    "Gasfabriek", "Watertoren", "Vliegveld", "Kazerne", "Ziekenhuisterrein", "Sportpark",
    "Schoolbuurt", "Kloosterhof", "Abdijpark", "Kasteeltuin", "Ooievaarsnest", "Hazenkamp",
    "Vossenhol", "Dassenburcht", "Egelshoek", "Konijnenberg",
]

# names used instead of the list above for buurten of a special kind
KIND_NAMES = {
    "bedrijven": ["Bedrijvenpark Noord", "Industrieterrein De Kade"],
    "park": ["Stadspark"],
    "nieuwbouw": ["Nieuwe Akkers"],
}
