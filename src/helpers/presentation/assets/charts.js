(function () {
  "use strict";
  /* Stuurkit's one chart loader: every chart of a page is an inert JSON data block
     (a script element of class stuurkit-spec, data-chart=ID; its JSON plain or packed:
     gzip, base64), drawn into the element with that id by vega-embed. The chart
     library is the inert packed block right before this script (its SHA-256 checked
     when the page was published): unpacked here and evaluated. Nothing else runs. */
  var PACKED = __PACKED_TYPE__, BUNDLE = __BUNDLE_ID__, SPEC = __SPEC_PACKED_TYPE__;
  /* (the three filled in by embed.loader_script) */
  var me = document.currentScript;
  var packed = me && me.previousElementSibling;
  function say(el, text) { el.textContent = text; }
  /* A chart loads nothing and links nowhere: every load, image and link is refused. */
  function refuse() { return Promise.reject(new Error("Stuurkit: geen externe bronnen")); }
  var offline = { load: refuse, sanitize: refuse, http: refuse, file: refuse };
  function library() {
    if (window.vegaEmbed) { return Promise.resolve(); }
    if (!packed || packed.tagName !== "SCRIPT" || packed.id !== BUNDLE ||
        packed.type !== PACKED) {
      return Promise.reject(new Error("de grafiekbibliotheek ontbreekt"));
    }
    if (typeof DecompressionStream === "undefined") {
      return Promise.reject(new Error("deze browser kan de grafiekbibliotheek niet uitpakken"));
    }
    return unpack(packed.textContent).then(function (code) { (0, eval)(code); });
  }
  function unpack(base64) {
    var text = atob(base64.replace(/\s+/g, ""));
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }
  function blocks() {
    return document.querySelectorAll('script[type="application/json"].stuurkit-spec, ' +
                                      'script[type="' + SPEC + '"].stuurkit-spec');
  }
  function specOf(block) {
    var json = block.type === SPEC ? unpack(block.textContent) : Promise.resolve(block.textContent);
    return json.then(JSON.parse);
  }
  function draw() {
    var all = blocks();
    for (var i = 0; i < all.length; i++) {
      var block = all[i];
      var el = document.getElementById(block.getAttribute("data-chart") || "");
      if (!el || !el.classList.contains("stuurkit-chart")) { continue; }
      (function (target, block) {
        specOf(block).then(function (spec) {
          if (spec.usermeta) { delete spec.usermeta.embedOptions; }
          return window.vegaEmbed(target, spec, { renderer: "svg", actions: false, loader: offline });
        }).catch(function (e) { console.error(e); say(target, "Grafiek kan niet worden getoond."); });
      })(el, block);
    }
  }
  function start() {
    if (!blocks().length) { return; }
    library().then(draw, function (e) {
      var all = blocks();
      for (var i = 0; i < all.length; i++) {
        var el = document.getElementById(all[i].getAttribute("data-chart") || "");
        if (el && el.classList.contains("stuurkit-chart")) {
          say(el, "Grafiek kan niet worden getoond: " + e.message + ".");
        }
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
