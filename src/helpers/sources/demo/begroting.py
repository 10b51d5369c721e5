"""Programme budget content of the demo gemeente: programmes, goals, actions, duiding.

Baselines are not typed in: the generator computes them from the generated data with
the formula given per goal indicator (the same definition as in the indicator
catalogue; a test checks that both agree). Targets are the baseline moved by
``change`` (relative) in the direction the goal wants.
"""

from __future__ import annotations

__all__ = ["PROGRAMMES", "FORMULAS", "DUIDING", "BBV_SERIES"]

# indicator id -> (numerator variable, denominator variable or None, scale)
FORMULAS: dict[str, tuple[str, str | None, float]] = {
    "netto_arbeidsparticipatie": ("p_arb_pp", None, 1),
    "bijstand_per_1000": ("a_soz_wb", "a_inw", 1000),
    "huishoudens_tot_110_sociaal_minimum": ("p_hh_110", None, 1),
    "jongeren_met_jeugdzorg": ("p_jz_tn", None, 1),
    "afstand_huisarts": ("g_afs_hp", None, 1),
    "aandeel_corporatiewoningen": ("p_wcorpw", None, 1),
    "meldingen_openbare_ruimte_per_1000": ("meldingen_openbare_ruimte", "a_inw", 1000),
    "restafval_kg_per_inwoner": ("restafval_kg_per_inwoner", None, 1),
    "gemiddeld_gasverbruik": ("g_gas", None, 1),
    "aandeel_stadsverwarming": ("p_stadsv", None, 1),
    "aandeel_auto_overige_brandstof": ("a_bst_nb", "a_pau", 100),
    "formatie_fte_per_1000": ("formatie_fte", "a_inw", 1000),
    "overhead_pct": ("overhead_pct", None, 1),
    "bedrijfsvestigingen_per_1000": ("a_bedv", "a_inw", 1000),
    "absoluut_verzuim": ("bbv_absoluut_verzuim", None, 1),
    "hernieuwbare_elektriciteit": ("bbv_hernieuwbaar", None, 1),
}

# Each goal: id, title, owner, indicators as (id, baseline year, target year, change),
# actions as (what, who, due, status).
PROGRAMMES: list[dict] = [
    {
        "id": "P1",
        "naam": "Werk en inkomen",
        "portefeuillehouder": "Wethouder Werk en Inkomen",
        "budget": {2022: 61.2, 2023: 63.0, 2024: 64.8, 2025: 66.1, 2026: 67.5},
        "doelen": [
            ("P1.1", "Meer inwoners doen mee op de arbeidsmarkt", "Team Werk",
             [("netto_arbeidsparticipatie", 2019, 2026, 0.03)],
             [("Programma 'Werk voor iedereen' met werkgeversservicepunt", "Team Werk",
               "2025-12-31", "afgerond"),
              ("Taaltrajecten gekoppeld aan werkervaringsplaatsen", "Team Werk",
               "2026-06-30", "lopend")]),
            ("P1.2", "Minder inwoners afhankelijk van de bijstand", "Team Inkomen",
             [("bijstand_per_1000", 2019, 2026, -0.10)],
             [("Intensieve begeleiding nieuwe instroom bijstand", "Team Inkomen",
               "2025-03-31", "afgerond"),
              ("Wijkgerichte aanpak Rivierkwartier en De Horsten", "Wijkteams",
               "2026-12-31", "vertraagd")]),
            ("P1.3", "Minder huishoudens met een laag inkomen", "Team Armoede en schulden",
             [("huishoudens_tot_110_sociaal_minimum", 2019, 2026, -0.10)],
             [("Automatische kwijtschelding gemeentelijke belastingen", "Belastingen",
               "2024-12-31", "afgerond"),
              ("Vroegsignalering betalingsachterstanden", "Team Armoede en schulden",
               "2026-12-31", "lopend")]),
        ],
    },
    {
        "id": "P2",
        "naam": "Zorg, jeugd en gezondheid",
        "portefeuillehouder": "Wethouder Zorg en Jeugd",
        "budget": {2022: 88.4, 2023: 93.9, 2024: 99.2, 2025: 101.0, 2026: 103.4},
        "doelen": [
            ("P2.1", "Minder jongeren met jeugdzorg door preventie", "Team Jeugd",
             [("jongeren_met_jeugdzorg", 2019, 2026, -0.08)],
             [("Praktijkondersteuner jeugd bij alle huisartsen", "Team Jeugd",
               "2025-09-30", "afgerond"),
              ("Inkoop jeugdhulp met resultaatfinanciering", "Inkoop Sociaal Domein",
               "2026-01-01", "lopend")]),
            ("P2.2", "Huisartsenzorg dichtbij in elke wijk", "Team Gezondheid",
             [("afstand_huisarts", 2019, 2026, -0.05)],
             [("Huisvesting voor nieuwe huisartsenpraktijk De Horsten", "Vastgoed",
               "2026-06-30", "vertraagd")]),
            ("P2.3", "Alle leerplichtige kinderen naar school", "Team Leerplicht",
             [("absoluut_verzuim", 2019, 2026, -0.25)],
             [("Aanpak thuiszitters met onderwijs en jeugdhulp", "Team Leerplicht",
               "2025-08-31", "lopend")]),
        ],
    },
    {
        "id": "P3",
        "naam": "Wonen en leefomgeving",
        "portefeuillehouder": "Wethouder Wonen",
        "budget": {2022: 41.7, 2023: 44.0, 2024: 47.3, 2025: 45.9, 2026: 46.2},
        "doelen": [
            ("P3.1", "Voldoende betaalbare huurwoningen", "Team Wonen",
             [("aandeel_corporatiewoningen", 2019, 2026, 0.05)],
             [("Prestatieafspraken met corporaties 2024-2027", "Team Wonen",
               "2024-12-31", "afgerond"),
              ("30% sociale huur in Nieuwe Akkers", "Gebiedsontwikkeling",
               "2026-12-31", "lopend")]),
            ("P3.2", "Een schone en hele openbare ruimte", "Stadsbeheer",
             [("meldingen_openbare_ruimte_per_1000", 2019, 2026, -0.10)],
             [("Extra veegroutes rond winkelcentra", "Stadsbeheer", "2025-06-30", "afgerond"),
              ("Buurtbeheerders in drie wijken", "Stadsbeheer", "2026-03-31", "lopend")]),
            ("P3.3", "Minder restafval per inwoner", "Team Afval",
             [("restafval_kg_per_inwoner", 2019, 2026, -0.20)],
             [("Invoering diftar", "Team Afval", "2023-01-01", "afgerond"),
              ("Nascheiding plastic en drankkartons", "Team Afval", "2025-12-31", "afgerond")]),
        ],
    },
    {
        "id": "P4",
        "naam": "Duurzaamheid en energie",
        "portefeuillehouder": "Wethouder Duurzaamheid",
        "budget": {2022: 12.5, 2023: 15.8, 2024: 18.1, 2025: 19.6, 2026: 20.2},
        "doelen": [
            ("P4.1", "Lager aardgasverbruik van woningen", "Team Energietransitie",
             [("gemiddeld_gasverbruik", 2019, 2026, -0.20)],
             [("Isolatieloket en energiecoaches", "Team Energietransitie",
               "2025-12-31", "afgerond"),
              ("Collectieve isolatie-aanpak corporatiewoningen", "Team Energietransitie",
               "2026-12-31", "lopend")]),
            ("P4.2", "Meer woningen op een warmtenet", "Team Energietransitie",
             [("aandeel_stadsverwarming", 2019, 2026, 0.40)],
             [("Warmtenet Nieuwe Akkers", "Gebiedsontwikkeling", "2024-06-30", "afgerond"),
              ("Uitbreiding warmtenet Binnenstad", "Warmtebedrijf", "2027-12-31",
               "niet gestart")]),
            ("P4.3", "Schoner autoverkeer", "Team Mobiliteit",
             [("aandeel_auto_overige_brandstof", 2019, 2026, 0.5692)],
             [("200 extra openbare laadpalen", "Team Mobiliteit", "2025-12-31", "afgerond")]),
            ("P4.4", "Meer duurzame stroom", "Team Energietransitie",
             [("hernieuwbare_elektriciteit", 2019, 2026, 1.0)],
             [("Zonnepanelen op alle gemeentelijke daken", "Vastgoed", "2025-12-31",
               "vertraagd")]),
        ],
    },
    {
        "id": "P5",
        "naam": "Economie",
        "portefeuillehouder": "Wethouder Economie",
        "budget": {2022: 6.1, 2023: 6.3, 2024: 6.6, 2025: 6.8, 2026: 7.0},
        "doelen": [
            ("P5.1", "Meer bedrijvigheid in de stad", "Team Economische Zaken",
             [("bedrijfsvestigingen_per_1000", 2019, 2026, 0.05)],
             [("Herontwikkeling Bedrijvenpark Noord", "Team Economische Zaken",
               "2026-12-31", "lopend")]),
        ],
    },
    {
        "id": "P6",
        "naam": "Bestuur en dienstverlening",
        "portefeuillehouder": "Burgemeester",
        "budget": {2022: 34.9, 2023: 36.2, 2024: 37.8, 2025: 38.5, 2026: 39.1},
        "doelen": [
            ("P6.1", "Een wendbare en betaalbare organisatie", "Concernstaf",
             [("formatie_fte_per_1000", 2019, 2026, -0.03)],
             [("Strategische personeelsplanning", "HR", "2025-06-30", "afgerond")]),
            ("P6.2", "Overhead onder controle", "Concerncontrol",
             [("overhead_pct", 2019, 2026, -0.05)],
             [("Doorlichting ondersteunende diensten", "Concerncontrol", "2026-09-30",
               "lopend"),
              ("Spelregels voor inhuur externen", "Concerncontrol", "2024-09-30",
               "lopend")]),
        ],
    },
]

# Analysts' commentary: (year, goal id) -> markdown text (Dutch)
DUIDING: dict[tuple[int, str], str] = {
    (2024, "P1.2"): (
        "---\n"
        "besluit: Extra inzet van twee klantmanagers in Rivierkwartier en De Horsten.\n"
        "vervolgactie: Wijkgerichte aanpak na de zomer op volle sterkte; evaluatie in het "
        "voorjaar.\n"
        "datum: 2024-11-12\n"
        "---\n"
        "Het aantal bijstandsuitkeringen daalt gemeentebreed, maar in **Rivierkwartier** en "
        "**De Horsten** stijgt het al drie jaar. De wijkgerichte aanpak is vertraagd doordat "
        "de wijkteams pas in het voorjaar op sterkte waren. Verwachting: zonder extra inzet "
        "wordt de streefwaarde voor 2026 niet gehaald.\n"
    ),
    (2024, "P1.1"): (
        "De arbeidsparticipatie herstelde na de daling in 2020 (corona). De laatste CBS-cijfers "
        "lopen twee jaar achter; de eigen registratie van uitstroom naar werk laat een "
        "vergelijkbaar beeld zien.\n"
    ),
    (2024, "P2.2"): (
        "Door het sluiten van een praktijk in 2021 is de gemiddelde afstand tot de huisarts "
        "in De Horsten toegenomen. De nieuwe praktijkruimte is vertraagd door de "
        "vergunningsprocedure.\n"
    ),
    (2024, "P3.3"): (
        "Na de invoering van diftar in 2023 daalde de hoeveelheid restafval sterk. De "
        "streefwaarde voor 2026 is binnen bereik.\n"
    ),
    (2024, "P4.1"): (
        "Het gasverbruik daalde extra in 2022 door de hoge energieprijzen. Het is nog "
        "onzeker welk deel van die daling blijvend is.\n"
    ),
    (2023, "P1.2"): (
        "---\n"
        "besluit: Een wijkgerichte aanpak bijstand in Rivierkwartier.\n"
        "vervolgactie: Wijkteams versterken in 2024.\n"
        "datum: 2023-11-07\n"
        "---\n"
        "De stijging in Rivierkwartier is reden om daar vanaf 2024 een wijkgerichte aanpak "
        "te starten.\n"
    ),
}

# BBV indicators the demo gemeente holds as own data / waarstaatjegemeente export:
# variable -> (value in 2017, change per year, noise sd, decimals, first year, last year).
# Some series stop early, as real ones do (health monitor every few years; Verwey-Jonker
# figures not updated), so that the kit's "stale data" warning has something to find.
BBV_SERIES: dict[str, tuple[float, float, float, int, int, int]] = {
    "bbv_bezetting": (6.6, 0.05, 0.05, 2, 2017, 2024),
    "bbv_apparaatskosten": (610, 14, 6, 0, 2017, 2024),
    "bbv_externe_inhuur": (12.5, 0.6, 0.8, 1, 2017, 2024),
    "bbv_halt": (14.0, -0.4, 0.6, 1, 2017, 2024),
    "bbv_winkeldiefstal": (2.4, -0.05, 0.15, 1, 2017, 2024),
    "bbv_geweld": (6.1, -0.08, 0.25, 1, 2017, 2024),
    "bbv_woninginbraak": (3.8, -0.3, 0.15, 1, 2017, 2024),
    "bbv_vernieling": (7.9, 0.1, 0.3, 1, 2017, 2024),
    "bbv_functiemenging": (52.0, 0.2, 0.3, 1, 2017, 2024),
    "bbv_vestigingen": (128.0, 2.5, 1.5, 1, 2017, 2024),
    "bbv_absoluut_verzuim": (2.1, 0.15, 0.1, 1, 2017, 2021),
    "bbv_relatief_verzuim": (31.0, 0.9, 1.5, 1, 2017, 2024),
    "bbv_vsv": (2.2, -0.05, 0.1, 1, 2017, 2023),
    "bbv_niet_sporters": (48.0, -0.4, 0.5, 1, 2016, 2022),
    "bbv_banen": (820.0, 6.0, 4.0, 1, 2017, 2024),
    "bbv_jongeren_delict": (1.4, -0.05, 0.05, 2, 2015, 2019),
    "bbv_kinderen_uitkering": (7.4, 0.2, 0.2, 1, 2017, 2023),
    "bbv_werkloze_jongeren": (2.1, -0.05, 0.15, 1, 2017, 2022),
    "bbv_bijstand": (438.0, -4.0, 6.0, 1, 2017, 2024),
    "bbv_reintegratie": (295.0, -3.0, 8.0, 1, 2017, 2024),
    "bbv_jeugdhulp": (11.8, 0.25, 0.2, 1, 2017, 2024),
    "bbv_jeugdbescherming": (1.1, -0.02, 0.05, 2, 2017, 2024),
    "bbv_jeugdreclassering": (0.45, -0.01, 0.03, 2, 2017, 2024),
    "bbv_wmo": (720.0, 12.0, 10.0, 0, 2017, 2024),
    "bbv_hernieuwbaar": (9.0, 2.1, 0.6, 1, 2017, 2023),
    "bbv_nieuwbouw": (9.5, 0.8, 1.2, 1, 2017, 2024),
    "bbv_demografische_druk": (62.0, 0.5, 0.2, 1, 2017, 2024),
    "bbv_woonlasten_1p": (690.0, 22.0, 4.0, 0, 2017, 2024),
    "bbv_woonlasten_mp": (835.0, 26.0, 5.0, 0, 2017, 2024),
}
