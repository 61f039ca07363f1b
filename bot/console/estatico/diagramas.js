// Draws the flows of the gestão page with the Mermaid copy served by this server (no CDN).
(function () {
  "use strict";
  if (!window.mermaid) { return; }
  // Full size, scrolled sideways in its box: a flow squeezed into the page width is unreadable.
  window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral", state: { useMaxWidth: false } });
  window.mermaid.run({ querySelector: "pre.mermaid" });
})();
