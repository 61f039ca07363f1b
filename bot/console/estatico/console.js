// The queue refreshes itself from server-sent events; nothing else on the console needs script.
(function () {
  "use strict";
  var fila = document.getElementById("fila");
  if (!fila || !window.EventSource) { return; }
  var corpo = fila.querySelector("tbody");
  var fonte = new EventSource(fila.dataset.eventos);
  fonte.addEventListener("fila", function (evento) { corpo.innerHTML = evento.data; });
})();
