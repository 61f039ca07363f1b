// Live parts of the console: an element with data-eventos opens a server-sent event stream whose
// "atualizar" events map element ids to new HTML (the queue and its alerts; a conversation's messages).
(function () {
  "use strict";
  if (!window.EventSource) { return; }
  document.querySelectorAll("[data-eventos]").forEach(function (origem) {
    var fonte = new EventSource(origem.dataset.eventos);
    fonte.addEventListener("atualizar", function (evento) {
      var partes = JSON.parse(evento.data);
      Object.keys(partes).forEach(function (id) {
        var alvo = document.getElementById(id);
        if (alvo) {
          var noFim = alvo.scrollHeight - alvo.scrollTop - alvo.clientHeight < 40;
          alvo.innerHTML = partes[id];
          if (noFim) { alvo.scrollTop = alvo.scrollHeight; }
        }
      });
    });
    fonte.addEventListener("fim", function () { fonte.close(); });
  });
})();
