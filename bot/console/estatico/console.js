// The console without full reloads.
// - An element with data-eventos opens a server-sent event stream whose "atualizar" events map element ids to
//   new HTML (the queue and its alerts; a conversation's messages and attachments).
// - A form with data-fundo is posted in the background (header X-Console-Fundo); the server answers JSON
//   {"aviso", "tipo"} or {"erro"}; the page's <main> is then refreshed from the server and the notice shown.
// - A conversation opens at its newest message; the reply box sends on Enter, Shift+Enter breaks the line;
//   a canned reply chosen above it is inserted at the cursor.
(function () {
  "use strict";

  function noFim(lista) {
    return lista.scrollHeight - lista.scrollTop - lista.clientHeight < 40;
  }

  function rolarMensagens(paraOFim, anterior) {
    var lista = document.getElementById("mensagens");
    if (!lista) { return; }
    lista.scrollTop = paraOFim ? lista.scrollHeight : anterior;
  }

  function notificar(texto, tipo) {
    var caixa = document.getElementById("notificacao");
    if (!caixa || !texto) { return; }
    caixa.textContent = texto;
    caixa.className = "notificacao " + (tipo || "sucesso");
    caixa.hidden = false;
  }

  function ouvir(origem) {
    var fonte = new EventSource(origem.dataset.eventos);
    fonte.addEventListener("atualizar", function (evento) {
      var partes = JSON.parse(evento.data);
      Object.keys(partes).forEach(function (id) {
        var alvo = document.getElementById(id);
        if (alvo) {
          var estavaNoFim = noFim(alvo);
          alvo.innerHTML = partes[id];
          if (estavaNoFim) { alvo.scrollTop = alvo.scrollHeight; }
        }
      });
    });
    fonte.addEventListener("fim", function () { fonte.close(); });
  }

  function atualizarPagina(escreveu) {
    // The same page, fetched again: owner, forms, history and documents change with an action.
    var lista = document.getElementById("mensagens");
    var estavaNoFim = !lista || noFim(lista), rolagem = lista ? lista.scrollTop : 0;
    var rascunho = document.getElementById("texto-resposta");
    var texto = escreveu || !rascunho ? "" : rascunho.value;
    return fetch(window.location.pathname, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (resposta) { return resposta.text(); })
      .then(function (html) {
        var nova = new DOMParser().parseFromString(html, "text/html").querySelector("main");
        var atual = document.querySelector("main");
        if (!nova || !atual) { return; }
        var topo = window.scrollY;
        atual.innerHTML = nova.innerHTML;
        var aviso = document.getElementById("aviso");
        if (aviso) { aviso.remove(); }
        var caixa = document.getElementById("texto-resposta");
        if (caixa && texto) { caixa.value = texto; }
        rolarMensagens(escreveu || estavaNoFim, rolagem);
        window.scrollTo(0, topo);
      });
  }

  function postarNoFundo(formulario) {
    var botoes = formulario.querySelectorAll("button");
    botoes.forEach(function (b) { b.disabled = true; });
    var escreveu = formulario.querySelector("#texto-resposta") !== null || /\/link$/.test(formulario.action);
    fetch(formulario.action, {
      method: "POST",
      body: new FormData(formulario),
      headers: { "X-Console-Fundo": "1", Accept: "application/json" },
      credentials: "same-origin"
    }).then(function (resposta) {
      return resposta.json().catch(function () { return {}; }).then(function (dados) {
        if (!resposta.ok) {
          botoes.forEach(function (b) { b.disabled = false; });
          notificar(dados.erro || "Não foi possível concluir (erro " + resposta.status + ").", "erro");
          return;
        }
        return atualizarPagina(escreveu).then(function () { notificar(dados.aviso, dados.tipo); });
      });
    }).catch(function () {
      botoes.forEach(function (b) { b.disabled = false; });
      notificar("Sem conexão com o servidor: a ação não foi enviada. Tente de novo.", "erro");
    });
  }

  document.addEventListener("submit", function (evento) {
    var formulario = evento.target;
    if (!window.fetch || !formulario.hasAttribute("data-fundo")) { return; }
    evento.preventDefault();
    postarNoFundo(formulario);
  });

  document.addEventListener("keydown", function (evento) {
    var alvo = evento.target;
    if (alvo.id !== "texto-resposta" || evento.key !== "Enter" || evento.shiftKey || evento.isComposing) { return; }
    evento.preventDefault();
    if (alvo.value.trim()) { alvo.form.requestSubmit(); }
  });

  document.addEventListener("change", function (evento) {
    var escolha = evento.target, caixa = document.getElementById("texto-resposta");
    if (escolha.id !== "respostas-prontas" || !caixa || !escolha.value) { return; }
    // Inserted where the cursor is (replacing a selection), as a canned reply is in Chatwoot; then edit freely.
    caixa.setRangeText(escolha.value, caixa.selectionStart, caixa.selectionEnd, "end");
    escolha.value = "";
    caixa.focus();
  });

  rolarMensagens(true, 0);
  if (window.EventSource) { document.querySelectorAll("[data-eventos]").forEach(ouvir); }
})();
