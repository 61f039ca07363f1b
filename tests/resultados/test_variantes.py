"""Experiments applied: the régua sends each debtor's variant and records it; the conversation uses the variant's
templates and offer book and records it with replies and the agreement; the report counts what was sent;
guardrails stop a harmful variant (its debtors get the reference) and leave a harmless one alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.config.erros import ConfigInvalida
from bot.config.regua import Modelo
from bot.config.resultados import Experimento, Protecao, Variante
from bot.dados.atendentes import Auditoria
from bot.dados.banco import criar_engine, sessao
from bot.dados.cobrancas import PagamentoRecebido
from bot.dados.experimentos import VarianteParada
from bot.dados.modelos import Acordo, Contrato, Devedor, Direcao, DocumentoPagamento, Evento, Mensagem, Parcela
from bot.dados.saida import Saida
from bot.disparo.comando import plano_do_dia
from bot.disparo.planejamento import planejar_e_enfileirar
from bot.disparo.reconciliacao import proximo_canal
from bot.disparo.relogio import planejar_hoje
from bot.porta import TipoCanal
from bot.projeto import carregar_projeto
from bot.resultados.amostra import observacoes
from bot.resultados.atribuicao import resolvedor
from bot.resultados.protecao import vigia, vigiar
from bot.resultados.relatorio_experimentos import relatorio_de
from bot.resultados.sorteio import RESERVA, variante_de
from bot.resultados.variantes import rotulos
from tests.apoio.acordos import acordo_em_duas_parcelas
from tests.apoio.chat_web import conversar, demo
from tests.apoio.projetos import projeto_padrao
from tests.apoio.relogio import Relogio

DIA = date(2026, 11, 23)  # Monday: the eve of 24/11, when the step "vespera" (D-1) is due
AGORA = datetime(2026, 11, 23, 3, tzinfo=UTC)
TEXTO_B = "{primeiro_nome}, amanhã vence sua parcela com {credor}. Posso mandar o PIX?"
VESPERA_B = {TipoCanal.WHATSAPP: Modelo(texto=TEXTO_B, modelo="lembrete_curto", parametros=("primeiro_nome",))}


def _experimento(**mudancas: object) -> Experimento:
    base = Experimento(nome="lembrete", inicio=date(2026, 11, 1), fim=date(2026, 12, 31), reserva_percentual=20,
                       minimo_por_variante=10,
                       variantes=(Variante(nome="a"), Variante(nome="b", passos={"vespera": VESPERA_B})))  # fmt: skip
    return base.model_copy(update=mudancas)


async def _carteira(engine: AsyncEngine, n: int) -> list[int]:
    """`n` debtors in SP, each with one R$ 100 installment due tomorrow and a WhatsApp number."""
    async with sessao(engine) as s:
        devedores = [Devedor(cpf=f"{i:011d}", nome=f"Pessoa{i} Teste", uf="SP", telefone=f"+55119{i:08d}")
                     for i in range(1, n + 1)]  # fmt: skip
        s.add_all(devedores)
        await s.flush()
        for devedor in devedores:
            assert devedor.id is not None
            contrato = Contrato(devedor_id=devedor.id, numero=f"C-{devedor.id}")
            s.add(contrato)
            await s.flush()
            assert contrato.id is not None
            s.add(Parcela(contrato_id=contrato.id, numero=1, valor=Decimal(100), vencimento=DIA + timedelta(days=1)))
        await s.commit()
        return [d.id for d in devedores if d.id is not None]


async def test_regua_envia_e_grava_a_variante_de_cada_devedor(engine: AsyncEngine) -> None:
    ids = await _carteira(engine, 60)
    exp = _experimento()
    regua = projeto_padrao().config.regua
    assert await planejar_e_enfileirar(engine, regua, "Loja", DIA, AGORA, resolvedor((exp,))) == 60
    async with sessao(engine) as s:
        saidas = {r.devedor_id: r for r in (await s.exec(select(Saida))).all()}
    vistas = set()
    for devedor_id in ids:
        saida, sorteada = saidas[devedor_id], variante_de(exp, devedor_id)
        vistas.add(sorteada)
        assert saida.passo == "vespera" and saida.variante == f"lembrete:{sorteada}"
        if sorteada == "b":
            assert (saida.texto, saida.modelo) == (f"Pessoa{devedor_id}, amanhã vence sua parcela com Loja. "
                                                   "Posso mandar o PIX?", "lembrete_curto")  # fmt: skip
            assert saida.parametros == [f"Pessoa{devedor_id}"]
        else:  # the reference without changes and the hold-out get the configured step
            assert saida.modelo == "lembrete_amanha" and saida.texto.startswith(f"Oi, Pessoa{devedor_id}! Amanhã")
    assert vistas == {"a", "b", RESERVA}
    # An experiment that ended, or one that only measures, changes and records nothing.
    so_mede = _experimento(variantes=(Variante(nome="a"), Variante(nome="b")))
    for outro in (_experimento(fim=date(2026, 11, 20)), so_mede):
        linhas = await plano_do_dia(engine, regua, "Loja", DIA, AGORA, resolvedor((outro,)))
        assert {ln.pedido.modelo.modelo for ln in linhas if ln.pedido} == {"lembrete_amanha"}
        assert all(ln.pedido is None or ln.pedido.variante is None for ln in linhas)


async def test_variante_parada_passa_seus_devedores_a_referencia(engine: AsyncEngine) -> None:
    ids = await _carteira(engine, 30)
    exp = _experimento()
    async with sessao(engine) as s:
        s.add(VarianteParada(experimento="lembrete", variante="b", motivo="teste", parada_em=AGORA))
        await s.commit()
    linhas = await plano_do_dia(engine, projeto_padrao().config.regua, "Loja", DIA, AGORA, resolvedor((exp,)))
    por_devedor = {ln.devedor.id: ln.pedido for ln in linhas if ln.pedido}
    de_b = [d for d in ids if variante_de(exp, d) == "b"]
    assert de_b
    for devedor_id in de_b:
        pedido = por_devedor[devedor_id]
        assert pedido.variante is not None and pedido.variante.rotulo == "lembrete:a"  # what is actually sent
        assert pedido.modelo.modelo == "lembrete_amanha"


def _saida_registrada(devedor_id: int, variante: str, n: int) -> Saida:
    instante = AGORA + timedelta(hours=12)
    return Saida(alvo=f"parcela:{devedor_id}", passo="vespera", canal="whatsapp", devedor_id=devedor_id,
                 destino=f"+55119{devedor_id:08d}", texto="x", situacao="enviada", proxima_tentativa=instante,
                 prazo=instante, enviada_em=instante, variante=f"lembrete:{variante}", id_provedor=f"w{n}")  # fmt: skip


async def _expostos_com_optout(engine: AsyncEngine, n: int, optout_b: float) -> list[int]:
    """`n` debtors, each sent one reminder labelled with the variant the hash gives; every 1/optout of b and
    1 in 50 of the others opt out after it."""
    ids = await _carteira(engine, n)
    exp = _experimento()
    async with sessao(engine) as s:
        por_variante: dict[str, int] = {}
        for devedor_id in ids:
            variante = variante_de(exp, devedor_id)
            k = por_variante[variante] = por_variante.get(variante, 0) + 1
            s.add(_saida_registrada(devedor_id, variante, devedor_id))
            taxa = optout_b if variante == "b" else 0.02
            if taxa and k % round(1 / taxa) == 0:
                s.add(Evento(devedor_id=devedor_id, tipo="optout", dados={}, criado_em=AGORA + timedelta(days=1)))
        await s.commit()
    return ids


async def test_protecao_para_a_variante_que_prejudica_uma_vez_com_auditoria(engine: AsyncEngine) -> None:
    await _expostos_com_optout(engine, 900, optout_b=0.25)
    exp = _experimento(protecao=Protecao(optout_pontos=Decimal(5), minimo=100))
    depois = AGORA + timedelta(days=2)
    achados = await vigiar(engine, (exp,), depois)
    assert [(e.nome, a.variante, a.metrica) for e, a in achados] == [("lembrete", "b", "opt-out")]
    assert await vigiar(engine, (exp,), depois + timedelta(hours=1))  # still harmful, but stopped only once
    async with sessao(engine) as s:
        paradas = (await s.exec(select(VarianteParada))).all()
        auditoria = (await s.exec(select(Auditoria).where(Auditoria.acao == "variante_parada"))).all()
        relatorio = await relatorio_de(s, exp)
    assert [(p.experimento, p.variante) for p in paradas] == [("lembrete", "b")]
    assert "acima da referência, além do limite de 5 p.p." in paradas[0].motivo
    assert len(auditoria) == 1 and auditoria[0].dados["variante"] == "b" and auditoria[0].usuario_id is None
    avisos = relatorio.avisos(depois)
    assert any(a.startswith("variante b PARADA em 25/11/2026 00:00 pela proteção: opt-out +") for a in avisos)
    b = next(ln for ln in relatorio.linhas if ln.nome == "b")
    assert b.veredito.startswith("b prejudica: mais opt-outs que a")


async def test_protecao_nao_para_sem_dano_nem_abaixo_do_limite_ou_da_amostra(engine: AsyncEngine) -> None:
    await _expostos_com_optout(engine, 900, optout_b=0.02)
    assert await vigiar(engine, (_experimento(protecao=Protecao(optout_pontos=Decimal(0), minimo=100)),), AGORA) == []
    async with sessao(engine) as s:
        s.add_all(Evento(devedor_id=d, tipo="optout", dados={}, criado_em=AGORA) for d in range(1, 900)
                  if variante_de(_experimento(), d) == "b" and d % 10 == 0)  # fmt: skip
        await s.commit()
    # About +10 p.p. now: above a 20-point limit it is not; with a minimum above the sample nothing is judged.
    for protecao in (Protecao(optout_pontos=Decimal(20), minimo=100), Protecao(optout_pontos=Decimal(1), minimo=5000)):
        assert await vigiar(engine, (_experimento(protecao=protecao),), AGORA) == []
    aviso = await vigiar(engine, (_experimento(protecao=Protecao(optout_pontos=Decimal(1), parar=False)),), AGORA)
    assert [a.variante for _, a in aviso] == ["b"]
    async with sessao(engine) as s:
        assert (await s.exec(select(VarianteParada))).all() == []  # parar = false: reported, not stopped


async def test_relatorio_conta_pelo_que_foi_enviado(engine: AsyncEngine) -> None:
    """A debtor the hash puts in b but who was sent the reference counts in a; one never reached is not counted."""
    ids = await _carteira(engine, 40)
    exp = _experimento()
    de_b = [d for d in ids if variante_de(exp, d) == "b"]
    enviados = {d: ("a" if d == de_b[0] else variante_de(exp, d)) for d in ids[:-1]}
    async with sessao(engine) as s:
        s.add_all(_saida_registrada(d, v, d) for d, v in enviados.items())
        await s.commit()
        obs = await observacoes(s, exp)
    contagem = {nome: int((obs.variante == i).sum()) for i, nome in enumerate(obs.variantes)}
    esperado = {nome: sum(v == nome for v in enviados.values()) for nome in ("a", "b", RESERVA)}
    assert contagem == esperado and sum(contagem.values()) == len(ids) - 1


async def test_r_por_devedor_conta_os_prazos_da_entrada_de_cada_devedor(engine: AsyncEngine) -> None:
    """Two debtors reached 48 days apart, each paying R$ 50 three days and R$ 100 forty days after their own first
    contact: both have R$ 50 at 7 and 30 days and R$ 150 at 90, however late in the experiment they came in."""
    ids = await _carteira(engine, 2)
    primeiros = [datetime(2026, 11, 2, 15, tzinfo=UTC), datetime(2026, 12, 20, 15, tzinfo=UTC)]
    async with sessao(engine) as s:
        for devedor_id, primeiro in zip(ids, primeiros, strict=True):
            saida = _saida_registrada(devedor_id, "a", devedor_id)
            saida.enviada_em = primeiro
            s.add(saida)
            acordo_id = await acordo_em_duas_parcelas(s, devedor_id, f"acordo-{devedor_id}")
            for numero, (dias, valor) in enumerate(((3, 50), (40, 100)), start=1):
                documento = DocumentoPagamento(acordo_id=acordo_id, acordo_parcela_numero=numero,
                                               nosso_numero=f"{devedor_id}{numero}", txid=f"t{devedor_id}{numero}",
                                               valor=Decimal(valor), vencimento=DIA, codigo_barras="",
                                               linha_digitavel="", pix="")  # fmt: skip
                s.add(documento)
                await s.flush()
                assert documento.id is not None
                pago = primeiro + timedelta(days=dias)
                s.add(PagamentoRecebido(provedor="local", id_provedor=f"p{devedor_id}{numero}", origem="simulado",
                                        documento_id=documento.id, acordo_id=acordo_id, acordo_parcela_numero=numero,
                                        valor=Decimal(valor), pago_em=pago.date(), criado_em=pago))  # fmt: skip
        await s.commit()
        obs = await observacoes(s, _experimento())
    assert {prazo: obs.recuperado[prazo].tolist() for prazo in (7, 30, 90)} == {
        7: [50.0, 50.0],
        30: [50.0, 50.0],
        90: [150.0, 150.0],
    }
    assert obs.entrada.tolist() == [p.timestamp() for p in primeiros]
    async with sessao(engine) as s:
        relatorio = await relatorio_de(s, _experimento())
    avisos = relatorio.avisos(datetime(2027, 1, 10, 12, tzinfo=UTC))  # 69 and 21 days after each first contact
    assert avisos == [
        "atenção: R$ 30 d é parcial: 1 de 2 devedores entraram no experimento há menos de 30 dias",
        "atenção: R$ 90 d é parcial: 2 de 2 devedores entraram no experimento há menos de 90 dias",
    ]


def _nome_para(alvo: str) -> str:
    """An experiment name whose draw puts Maria (debtor 1 of the example portfolio) in `alvo`."""
    return next(f"conversa_{i}" for i in range(1000) if variante_de(_conversa(f"conversa_{i}"), 1) == alvo)


def _conversa(nome: str) -> Experimento:
    return Experimento(nome=nome, inicio=date(2026, 11, 1), fim=date(2026, 12, 31), reserva_percentual=0,
                       variantes=(Variante(nome="a"), Variante(nome="b")))  # fmt: skip


def _projeto_com_conversa(copia: Path, nome: str) -> Path:
    (copia / "mensagens" / "saudacao_b.j2").write_text(
        "Oi, {{ devedor.primeiro_nome }}! Sou da {{ credor.nome }}. Falo com {{ devedor.primeiro_nome }}?\n",
        encoding="utf-8",
    )
    with (copia / "config.toml").open("a", encoding="utf-8") as arquivo:
        arquivo.write(f"""
[[experimentos]]
nome = "{nome}"
inicio = 2026-11-01
fim = 2026-12-31
reserva_percentual = 0
variantes = [
  {{ nome = "a" }},
  {{ nome = "b", mensagens = {{ saudacao = "saudacao_b" }}, ofertas = {{ ordem = "inversa" }} }},
]
""")
    return copia / "config.toml"


@pytest.mark.parametrize("alvo", ["a", "b"])
async def test_conversa_usa_e_grava_a_variante(copia: Path, url: str, alvo: str) -> None:
    nome = _nome_para(alvo)
    projeto = carregar_projeto(_projeto_com_conversa(copia, nome))
    async with demo(projeto, url, Relogio()) as cliente:
        respostas = await conversar(cliente, 1, "oi", "sim", "390", "esqueci")
        confirmacao = await conversar(cliente, 1, "sim", "sim")
    saudacao, oferta = respostas[0], respostas[-1]
    if alvo == "b":
        assert saudacao == "Oi, Maria! Sou da Loja Exemplo Comércio Ltda. Falo com Maria?"
        assert "juros de 1,5% ao mês" in oferta  # the most generous option of her tier comes first
    else:
        assert saudacao.startswith("Olá, Maria! 👋 Aqui é o assistente virtual")
        assert "💰 *À vista:" in oferta  # the book's order: the best option for the creditor first
    assert any(r.startswith("Acordo registrado!") for r in confirmacao), confirmacao
    engine = criar_engine(url)
    async with sessao(engine) as s:
        rotulos_saida = {m.variante for m in (await s.exec(
            select(Mensagem).where(Mensagem.direcao == Direcao.SAIDA.value))).all()}  # fmt: skip
        acordos = (await s.exec(select(Acordo).order_by(col(Acordo.id)))).all()
        ofertas = (await s.exec(select(Evento).where(Evento.tipo == "oferta"))).all()
        obs = await observacoes(s, projeto.config.experimentos[0])
    await engine.dispose()
    assert rotulos_saida == {f"{nome}:{alvo}"}
    assert [rotulos(a.variante) for a in acordos] == [{nome: alvo}]
    assert ofertas and {o.dados["variante"] for o in ofertas} == {f"{nome}:{alvo}"}
    assert [obs.variantes[i] for i in obs.variante] == [alvo]  # Maria, the only debtor the conversation reached


def test_check_recusa_variantes_que_nomeiam_o_que_nao_existe(copia: Path) -> None:
    with (copia / "config.toml").open("a", encoding="utf-8") as arquivo:
        arquivo.write("""
[[experimentos]]
nome = "ruim"
inicio = 2026-11-01
fim = 2026-12-31

[[experimentos.variantes]]
nome = "a"

[[experimentos.variantes]]
nome = "b"
mensagens = { saudacao = "nao_existe", oferta = "saldo" }
ofertas = { passo_concessao = 0 }

[[experimentos.variantes]]
nome = "c"
passos.sumido.whatsapp = { texto = "x", modelo = "m" }
passos.antes_5.telegram = { texto = "x" }
passos.vespera.whatsapp = { texto = "Oi {valor}", modelo = "m" }

[[experimentos]]
nome = "outro"
inicio = 2026-12-01
fim = 2027-01-31

[[experimentos.variantes]]
nome = "a"

[[experimentos.variantes]]
nome = "b"
passos.vespera.email = { texto = "y" }
ofertas = { ordem = "inversa" }
""")
    with pytest.raises(ConfigInvalida) as erro:
        carregar_projeto(copia / "config.toml")
    texto = "\n".join(map(str, erro.value.erros))
    assert "[experimentos[0].variantes[1].ofertas.passo_concessao] deve ser no mínimo 1" in texto, texto
    with (copia / "config.toml").open("r+", encoding="utf-8") as arquivo:
        conteudo = arquivo.read().replace("passo_concessao = 0", "passo_concessao = 2")
        arquivo.seek(0)
        arquivo.write(conteudo)
    with pytest.raises(ConfigInvalida) as erro:
        carregar_projeto(copia / "config.toml")
    texto = "\n".join(map(str, erro.value.erros))
    for esperado in (
        "[experimentos[0].variantes[1].mensagens.saudacao] mensagem inexistente em mensagens/: nao_existe",
        "[experimentos[0].variantes[1].mensagens.oferta] saldo usa",
        "[experimentos[0].variantes[2].passos.sumido] passo inexistente na régua; há: antes_5, vespera",
        "[experimentos[0].variantes[2].passos.antes_5.telegram] o passo não usa este canal; usa: whatsapp, email",
        "[experimentos[0].variantes[2].passos.vespera.whatsapp] usa {valor}; ligue regua.mostrar_valor = true",
        "[experimentos[1]] muda o mesmo que 'ruim' no mesmo período: vespera, ofertas",
    ):
        assert esperado in texto, (esperado, texto)


def test_exemplo_comentado_do_config_passa_no_check(copia: Path) -> None:
    config = copia / "config.toml"
    texto = config.read_text(encoding="utf-8")
    inicio = texto.index("# [[experimentos]]")
    exemplo = "\n".join(linha.removeprefix("# ").removeprefix("#") for linha in texto[inicio:].splitlines())
    config.write_text(texto[:inicio] + exemplo + "\n", encoding="utf-8")
    (experimento,) = carregar_projeto(config).config.experimentos
    assert experimento.nome == "vespera_curta" and experimento.aplica
    assert experimento.variantes[1].passos["vespera"][TipoCanal.WHATSAPP].modelo == "lembrete_curto"


async def test_canal_seguinte_do_passo_usa_o_texto_da_variante(engine: AsyncEngine) -> None:
    """A WhatsApp reminder that fails passes to e-mail: still the variant's text, still its label."""
    (devedor_id,) = await _carteira(engine, 1)
    async with sessao(engine) as s:
        devedor = await s.get(Devedor, devedor_id)
        assert devedor is not None
        devedor.email = "pessoa@example.com"
        s.add(devedor)
        await s.commit()
    email_b = Modelo(texto="{primeiro_nome}: lembrete curto por e-mail", modelo="Lembrete curto")
    passos = {"vespera": VESPERA_B | {TipoCanal.EMAIL: email_b}}
    nome = next(f"canal_{i}" for i in range(500)
                if variante_de(_experimento(nome=f"canal_{i}"), devedor_id) == "b")  # fmt: skip
    exp = _experimento(nome=nome, variantes=(Variante(nome="a"), Variante(nome="b", passos=passos)))
    regua = projeto_padrao().config.regua
    assert await planejar_e_enfileirar(engine, regua, "Loja", DIA, AGORA, resolvedor((exp,))) == 1
    async with sessao(engine) as s:
        zap = (await s.exec(select(Saida))).one()
    assert zap.canal == "whatsapp" and zap.canais_restantes == ["telegram", "email"]
    await proximo_canal(engine, regua, zap, AGORA)
    async with sessao(engine) as s:
        email = (await s.exec(select(Saida).where(Saida.canal == "email"))).one()
    assert (email.texto, email.modelo, email.variante) == (f"Pessoa{devedor_id}: lembrete curto por e-mail",
                                                           "Lembrete curto", f"{nome}:b")  # fmt: skip


async def test_planejamento_do_serve_para_antes_de_escolher_os_lembretes(engine: AsyncEngine) -> None:
    await _expostos_com_optout(engine, 900, optout_b=0.25)
    exp = _experimento(protecao=Protecao(optout_pontos=Decimal(5), minimo=100))
    regua = projeto_padrao().config.regua
    await planejar_hoje(engine, regua, "Loja", AGORA, resolvedor((exp,)), vigia(engine, (exp,)))
    async with sessao(engine) as s:
        assert [p.variante for p in (await s.exec(select(VarianteParada))).all()] == ["b"]
    linhas = await plano_do_dia(engine, regua, "Loja", DIA, AGORA, resolvedor((exp,)))
    rotulos_de_b = {ln.pedido.variante.rotulo for ln in linhas
                    if ln.pedido and ln.pedido.variante and variante_de(exp, ln.devedor.id) == "b"}  # fmt: skip
    assert rotulos_de_b == {"lembrete:a"}
