// Draws the flows of the gestão page with the Mermaid copy served by this server (no CDN), then shows each one
// whole inside its box: "Ajustar" fits it again, + and − (or Ctrl + wheel, or pinch) zoom around the pointer,
// dragging pans. Zoom and pan move the SVG's viewBox, so labels stay sharp at any size.
(function () {
  "use strict";
  if (!window.mermaid) { return; }
  window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral", state: { useMaxWidth: false } });

  function visor(pre) {
    var svg = pre.querySelector("svg");
    if (!svg || !svg.viewBox.baseVal || !svg.viewBox.baseVal.width) { return; }
    var inteiro = svg.viewBox.baseVal, original = [inteiro.x, inteiro.y, inteiro.width, inteiro.height];
    var vista = original.slice();
    svg.removeAttribute("style");  // Mermaid's max-width/width: the box decides the size
    svg.setAttribute("width", "100%");
    svg.setAttribute("height", "100%");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    pre.classList.add("visor");

    function aplicar() { svg.setAttribute("viewBox", vista.join(" ")); }
    function zoom(fator, px, py) {  // px, py: the fixed point, as fractions of the box (0.5, 0.5: the centre)
      var largura = Math.min(original[2] * 4, Math.max(original[2] / 40, vista[2] / fator));
      var altura = largura * vista[3] / vista[2];
      vista = [vista[0] + (vista[2] - largura) * px, vista[1] + (vista[3] - altura) * py, largura, altura];
      aplicar();
    }

    var barra = document.createElement("div");
    barra.className = "visor-barra";
    [["Ajustar", function () { vista = original.slice(); aplicar(); }],
     ["+", function () { zoom(1.5, 0.5, 0.5); }],
     ["−", function () { zoom(1 / 1.5, 0.5, 0.5); }]].forEach(function (par) {
      var botao = document.createElement("button");
      botao.type = "button";
      botao.textContent = par[0];
      botao.setAttribute("aria-label", { "+": "Aproximar", "−": "Afastar", "Ajustar": "Ajustar à caixa" }[par[0]]);
      botao.addEventListener("click", par[1]);
      barra.appendChild(botao);
    });
    var dica = document.createElement("span");
    dica.textContent = "arraste para mover · Ctrl + roda para aproximar";
    barra.appendChild(dica);
    pre.parentNode.insertBefore(barra, pre);

    pre.addEventListener("wheel", function (evento) {
      if (!evento.ctrlKey && !evento.metaKey) { return; }  // a plain wheel still scrolls the page
      evento.preventDefault();
      var caixa = pre.getBoundingClientRect();
      zoom(evento.deltaY < 0 ? 1.2 : 1 / 1.2, (evento.clientX - caixa.left) / caixa.width, (evento.clientY - caixa.top) / caixa.height);
    }, { passive: false });

    var arrasto = null;
    pre.addEventListener("pointerdown", function (evento) {
      arrasto = { x: evento.clientX, y: evento.clientY, vista: vista.slice() };
      pre.setPointerCapture(evento.pointerId);
    });
    pre.addEventListener("pointermove", function (evento) {
      if (!arrasto) { return; }
      var caixa = pre.getBoundingClientRect();
      var escala = Math.max(arrasto.vista[2] / caixa.width, arrasto.vista[3] / caixa.height);
      vista = [arrasto.vista[0] - (evento.clientX - arrasto.x) * escala,
               arrasto.vista[1] - (evento.clientY - arrasto.y) * escala, arrasto.vista[2], arrasto.vista[3]];
      aplicar();
    });
    ["pointerup", "pointercancel"].forEach(function (nome) {
      pre.addEventListener(nome, function () { arrasto = null; });
    });
  }

  window.mermaid.run({ querySelector: "pre.mermaid" }).then(function () {
    document.querySelectorAll("pre.mermaid").forEach(visor);
  });
})();
