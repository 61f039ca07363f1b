"use strict";
// The payment page's buttons: copy a code, print. Served from /estatico so the page's CSP allows no inline script.
document.querySelectorAll("[data-copiar]").forEach(function (botao) {
    botao.addEventListener("click", function () {
      var texto = document.getElementById(botao.dataset.copiar).textContent.trim();
      var feito = function () { var antes = botao.textContent; botao.textContent = "Copiado!";
        setTimeout(function () { botao.textContent = antes; }, 2000); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(texto).then(feito);
      } else {
        var area = document.createElement("textarea"); area.value = texto; document.body.appendChild(area);
        area.select(); document.execCommand("copy"); area.remove(); feito();
      }
    });
});
document.querySelectorAll("[data-imprimir]").forEach(function (botao) {
  botao.addEventListener("click", function () { window.print(); });
});
