"""A local HTTP server that answers like CBS OData v3 and PDOK's WFS.

No network in tests: ``stuurkit fetch`` talks to this server on 127.0.0.1. The
responses follow the shapes of the real services (entity-set listing, ``value``
arrays, ``odata.nextLink`` paging, ``$filter=substringof(...)``; WFS GetFeature with
``count``/``startIndex`` and an FES equality filter), built from the *demo* gemeente's
files, since real responses cannot be recorded on this offline machine (and real data
may not be copied into the project). ``failures`` makes chosen paths fail a number of
times, to exercise retries and resuming.
"""

from __future__ import annotations

import csv
import json
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

DEMO_RAW = Path(__file__).resolve().parents[2] / "data" / "demo" / "raw"
TABLE = "85618NED"  # KWB 2023
GEBIEDEN = "85385NED"  # Gebieden in Nederland 2023 (the id the catalogue answers)
ODATA_PAGE = 40
# a few OData keys as CBS names them (cbs-formats.md §2a); other columns keep the short name
KEYS = {"a_inw": "AantalInwoners", "a_man": "Mannen", "a_vrouw": "Vrouwen",
        "a_00_14": "k_0Tot15Jaar", "a_65_oo": "k_65JaarOfOuder"}


def _odata_sets(year: int = 2023) -> dict[str, list[dict]]:
    with (DEMO_RAW / f"kwb-{year}.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    variables = [c for c in rows[0] if c not in ("gwb_code_10", "gwb_code_8", "regio",
                                                  "gm_naam", "recs", "gwb_code", "ind_wbi",
                                                  "pst_mvp")]
    props = [{"ID": 0, "Position": None, "Type": "Dimension", "Key": "WijkenEnBuurten",
              "Title": "Wijken en buurten"}]
    head = [("Gemeentenaam", "Gemeentenaam", "String"), ("SoortRegio", "Soort regio", "String"),
            ("Codering", "Codering", "String"),
            ("IndelingswijzigingWijkenEnBuurten", "Indelingswijziging wijken en buurten",
             "String")]
    keys = {}
    for position, (base, title, datatype) in enumerate(head, start=1):
        keys[base] = f"{base}_{position}"
        props.append({"ID": position, "Position": position, "Type": "Topic",
                      "Key": keys[base], "Title": title, "Datatype": datatype})
    for position, name in enumerate(variables, start=len(head) + 1):
        key = f"{KEYS.get(name, name)}_{position}"
        keys[name] = key
        props.append({"ID": position, "Position": position, "Type": "Topic", "Key": key,
                      "Title": name, "Datatype": "Double"})
    typed = []
    for i, row in enumerate(rows):
        record = {"ID": i, "WijkenEnBuurten": row["gwb_code_10"].ljust(10),
                  keys["Gemeentenaam"]: row["gm_naam"].ljust(40),
                  keys["SoortRegio"]: row["recs"].ljust(10),
                  keys["Codering"]: row["gwb_code_10"].ljust(10),
                  keys["IndelingswijzigingWijkenEnBuurten"]: row["ind_wbi"]}
        for name in variables:
            record[keys[name]] = None if row[name] == "." else float(row[name])
        typed.append(record)
    # a region of another gemeente, which the filter must keep out
    other = dict(typed[0], WijkenEnBuurten="GM0344    ", ID=len(typed))
    other[keys["Codering"]] = "GM0344    "
    typed.append(other)
    dimension = [{"Key": r["WijkenEnBuurten"], "Title": r[keys["Codering"]].strip()}
                 for r in typed]
    return {
        "TableInfos": [{"ID": 0, "Identifier": TABLE,
                        "Title": f"Kerncijfers wijken en buurten {year}"}],
        "DataProperties": props,
        "CategoryGroups": [],
        "TypedDataSet": typed,
        "UntypedDataSet": typed,
        "WijkenEnBuurten": dimension,
    }


def _gebieden_sets(year: int = 2023) -> dict[str, list[dict]]:
    """The demo's "Gebieden in Nederland" in the OData shape: a dimension ``RegioS``, topic
    groups "Codes en namen van gemeenten" and "Lokaliseringen van gemeenten" →
    "Provincies", each with "Code" and "Naam" topics whose keys carry a position suffix."""
    from helpers.sources.demo import DEMO_CODE, DEMO_NAME
    from helpers.sources.demo.peers import gebieden_csv

    lines = gebieden_csv(DEMO_CODE, DEMO_NAME).splitlines()[1:]
    props = [{"ID": 0, "ParentID": None, "Type": "Dimension", "Key": "RegioS",
              "Title": "Regio's"},
             {"ID": 1, "ParentID": None, "Type": "TopicGroup", "Key": "",
              "Title": "Codes en namen van gemeenten"},
             {"ID": 2, "ParentID": 1, "Type": "Topic", "Key": "Code_1", "Title": "Code",
              "Datatype": "String"},
             {"ID": 3, "ParentID": 1, "Type": "Topic", "Key": "Naam_2", "Title": "Naam",
              "Datatype": "String"},
             {"ID": 4, "ParentID": None, "Type": "TopicGroup", "Key": "",
              "Title": "Lokaliseringen van gemeenten"},
             {"ID": 5, "ParentID": 4, "Type": "TopicGroup", "Key": "", "Title": "Provincies"},
             {"ID": 6, "ParentID": 5, "Type": "Topic", "Key": "Code_28", "Title": "Code",
              "Datatype": "String"},
             {"ID": 7, "ParentID": 5, "Type": "Topic", "Key": "Naam_29", "Title": "Naam",
              "Datatype": "String"}]
    typed = []
    for i, line in enumerate(lines):
        name, code, province, province_name = line.split(";")
        typed.append({"ID": i, "RegioS": code, "Code_1": code.ljust(10),
                      "Naam_2": name.ljust(40), "Code_28": province.ljust(6),
                      "Naam_29": province_name.ljust(30)})
    return {"TableInfos": [{"ID": 0, "Identifier": GEBIEDEN,
                            "Title": f"Gebieden in Nederland {year}"}],
            "DataProperties": props, "TypedDataSet": typed, "UntypedDataSet": typed,
            "RegioS": [{"Key": r["RegioS"], "Title": r["Naam_2"].strip()} for r in typed]}


def _wfs_features(year: int, layer: str) -> list[dict]:
    plural = layer.split(":")[-1]
    file = DEMO_RAW / f"{plural}_2022.geojson"
    return json.loads(file.read_text(encoding="utf-8"))["features"]


class FakeCBS:
    """Start with ``with FakeCBS() as server:``; ``server.host`` is ``127.0.0.1:PORT``."""

    def __init__(self, failures: dict[str, int] | None = None):
        self.failures = Counter(failures or {})
        self.requests: list[str] = []
        self.tables = {TABLE: _odata_sets(), GEBIEDEN: _gebieden_sets()}
        self.sets = self.tables[TABLE]
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):  # noqa: N802 (http.server API)
                outer.requests.append(self.path)
                url = urlparse(self.path)
                for fragment, remaining in list(outer.failures.items()):
                    if remaining > 0 and fragment in self.path:
                        outer.failures[fragment] -= 1
                        self.send_error(503, "Service Unavailable (test)")
                        return
                query = parse_qs(url.query)
                if url.path == "/ODataCatalog/Tables":
                    return self._catalog(query)
                match = re.match(r"^/ODataFeed/odata/(\w+)/?(\w*)$", url.path)
                if match:
                    return self._odata(match.group(1), match.group(2), query)
                if "/wfs/" in url.path:
                    return self._wfs(url.path, query)
                self.send_error(404)

            def _json(self, payload):
                body = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _catalog(self, query):
                wanted = re.search(r"substringof\('([^']+)',Title\)",
                                   query.get("$filter", [""])[0])
                tables = [{"Identifier": t, "Title": sets["TableInfos"][0]["Title"]}
                          for t, sets in outer.tables.items()]
                if wanted:
                    tables = [t for t in tables if wanted.group(1) in t["Title"]]
                return self._json({"value": tables})

            def _odata(self, table, name, query):
                if table not in outer.tables:
                    return self.send_error(404, "unknown table")
                sets = outer.tables[table]
                base = f"http://{outer.host}/ODataFeed/odata/{table}"
                if not name:
                    return self._json({"odata.metadata": f"{base}/$metadata", "value": [
                        {"name": n, "url": f"{base}/{n}"} for n in sets]})
                rows = sets.get(name)
                if rows is None:
                    return self.send_error(404)
                filters = query.get("$filter", [""])[0]
                wanted = re.search(r"substringof\('(\w+)',WijkenEnBuurten\)", filters)
                starts = re.search(r"startswith\(WijkenEnBuurten,'(\w+)'\)", filters)
                if wanted and "WijkenEnBuurten" in rows[0]:
                    rows = [r for r in rows if wanted.group(1) in r["WijkenEnBuurten"]
                            or (starts and r["WijkenEnBuurten"].startswith(starts.group(1)))]
                skip = int(query.get("$skip", ["0"])[0])
                page = rows[skip:skip + ODATA_PAGE]
                payload = {"value": page}
                if skip + ODATA_PAGE < len(rows):
                    token = f"$skip={skip + ODATA_PAGE}"
                    if filters:
                        token += f"&$filter={filters}"
                    payload["odata.nextLink"] = f"{base}/{name}?$format=json&{token}"
                return self._json(payload)

            def _wfs(self, path, query):
                year = int(re.search(r"/(\d{4})/", path).group(1))
                layer = query["typeNames"][0]
                literal = re.search(r"<fes:Literal>(\w+)</fes:Literal>", query["filter"][0])
                features = [f for f in _wfs_features(year, layer)
                            if f["properties"].get("gemeentecode") == literal.group(1)]
                start, count = int(query["startIndex"][0]), int(query["count"][0])
                return self._json({"type": "FeatureCollection",
                                   "features": features[start:start + count]})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeCBS:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
