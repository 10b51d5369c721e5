(function () {
  "use strict";
  /* Stuurkit's one chart loader: every chart of a page is an inert JSON data block
     (a script element of type application/json, class stuurkit-spec, data-chart=ID),
     drawn into the element with that id by vega-embed. Nothing else on the page runs. */
  function say(el, text) { el.textContent = text; }
  /* A chart loads nothing and links nowhere: every load, image and link is refused. */
  function refuse() { return Promise.reject(new Error("Stuurkit: geen externe bronnen")); }
  var offline = { load: refuse, sanitize: refuse, http: refuse, file: refuse };
  function draw() {
    var blocks = document.querySelectorAll('script[type="application/json"].stuurkit-spec');
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      var el = document.getElementById(block.getAttribute("data-chart") || "");
      if (!el || !el.classList.contains("stuurkit-chart")) { continue; }
      if (!window.vegaEmbed) {
        say(el, "Grafiek kan niet worden getoond: de grafiekbibliotheek ontbreekt.");
        continue;
      }
      var spec;
      try { spec = JSON.parse(block.textContent); } catch (e) {
        say(el, "Grafiek kan niet worden getoond.");
        continue;
      }
      if (spec.usermeta) { delete spec.usermeta.embedOptions; }
      (function (target) {
        window.vegaEmbed(target, spec, { renderer: "svg", actions: false, loader: offline })
          .catch(function (e) { console.error(e); say(target, "Grafiek kan niet worden getoond."); });
      })(el);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
