"""The payment loop through the real aiohttp client: negotiate → agreement → page → simulated payment → thank-you."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import col, select

from bot.dados.banco import criar_engine, sessao
from bot.dados.cobrancas import PagamentoRecebido, TokenPagamento
from bot.dados.modelos import Acordo, AcordoParcela, Evento, Mensagem, Parcela
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.apoio.chat_web import LINK, fechar_acordo
from tests.apoio.cliente_http import Cliente
from tests.apoio.relogio import AGORA, Relogio

ROTA = "/api/conversas/1/mensagens"  # Maria, the first line of the example portfolio


async def historico(cliente_demo: Cliente) -> list[str]:
    corpo = await (await cliente_demo.get(ROTA)).json()
    return [m["texto"] for m in corpo["mensagens"]]


async def test_ciclo_completo_ate_o_agradecimento(cliente_demo: Cliente, url: str) -> None:
    caminho = await fechar_acordo(cliente_demo)

    pagina = await cliente_demo.get(caminho)
    assert pagina.status == 200
    html = await pagina.text()
    for esperado in (
        "Loja Exemplo Comércio Ltda.",
        "11.222.333/0001-81",
        "Av. Paulista, 1000",
        "Olá, Maria",
        "***.533.447-**",
        "Acordo nº 1 · parcela 1/1",
        'data-copiar="pix"',
        'data-copiar="linha"',
        "<svg",
        "Simular pagamento",
    ):
        assert esperado in html, esperado
    assert "Santos" not in html and "39053344705" not in html and "390.533.447-05" not in html
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # no external assets

    pago = await cliente_demo.post(f"{caminho}/pagar", allow_redirects=False)
    assert (pago.status, pago.headers["Location"]) == (303, caminho)
    assert "Pagamento recebido" in await (await cliente_demo.get(caminho)).text()
    assert "Simular pagamento" not in await (await cliente_demo.get(caminho)).text()

    mensagens = await historico(cliente_demo)
    assert mensagens[-1].startswith("Recebemos seu pagamento de *R$")
    assert "quitado" in mensagens[-1]

    await cliente_demo.post(f"{caminho}/pagar")  # a second click changes nothing
    assert await historico(cliente_demo) == mensagens
    engine = criar_engine(url)
    async with sessao(engine) as s:
        acordo = (await s.exec(select(Acordo))).one()
        assert acordo.situacao == "pago"
        assert {p.situacao for p in (await s.exec(select(AcordoParcela))).all()} == {"paga"}
        assert {p.situacao for p in (await s.exec(select(Parcela).where(col(Parcela.pago_em).is_not(None))))} == {
            "paga"
        }
        assert len((await s.exec(select(PagamentoRecebido))).all()) == 1
        assert [e.tipo for e in (await s.exec(select(Evento).where(Evento.tipo == "pagamento"))).all()] == ["pagamento"]
        agradecimento = (await s.exec(select(Mensagem).order_by(col(Mensagem.id).desc()))).first()
        assert agradecimento is not None and agradecimento.status == "enviada"
    await engine.dispose()


async def test_token_desconhecido_malformado_ou_expirado(cliente_demo: Cliente, url: str, relogio: Relogio) -> None:
    caminho = await fechar_acordo(cliente_demo)
    for ruim in ("/p/" + "A" * 32, "/p/curto", "/p/" + "x" * 200, "/p/%00%ff"):
        resposta = await cliente_demo.get(ruim)
        assert resposta.status == 404
        assert "Este link não está mais disponível" in await resposta.text()
    assert (await cliente_demo.post("/p/" + "A" * 32 + "/pagar")).status == 404

    engine = criar_engine(url)
    async with sessao(engine) as s:
        token = (await s.exec(select(TokenPagamento))).one()
    await engine.dispose()
    assert token.token == caminho.removeprefix("/p/")
    relogio.agora = AGORA.replace(hour=12) + (token.valido_ate - AGORA.date())  # last valid day, São Paulo
    assert (await cliente_demo.get(caminho)).status == 200
    relogio.agora += timedelta(days=1)
    expirado = await cliente_demo.get(caminho)
    assert expirado.status == 404
    assert "Maria" not in await expirado.text()


async def test_sem_modo_demo_nao_ha_botao_de_simular(projeto: Projeto, url: str) -> None:
    app = criar_app(projeto, criar_engine(url), lambda: AGORA, demo=False)
    async with TestClient(TestServer(app)) as client:
        assert (await client.post("/p/" + "A" * 32 + "/pagar")).status in (404, 405)


async def test_segunda_via_depois_de_expirar_traz_documento_novo(cliente_demo: Cliente, relogio: Relogio) -> None:
    antigo = await fechar_acordo(cliente_demo)
    relogio.agora = AGORA + timedelta(days=10)  # the page expired (due date + dias_validade_documento)
    links = []
    for texto in ("oi", "sim", "390", "2ª via", "manda o boleto de novo"):
        corpo = await (await cliente_demo.post(ROTA, json={"texto": texto})).json()
        links += LINK.findall("\n".join(r["texto"] for r in corpo["respostas"]))
    assert len(links) == 3 and len(set(links)) == 1  # one renewal, shown each time it is asked for
    [novo] = set(links)
    assert novo != antigo
    assert (await cliente_demo.get(antigo)).status == 404
    pagina = await cliente_demo.get(novo)
    assert pagina.status == 200 and "04/12/2026" in await pagina.text()  # a business day ahead
