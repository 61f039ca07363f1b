"""`python -m bot [--config PATH] [--db URL] [--now ISO-8601] COMMAND`: the commands managers and scripts use."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.api.tokens import comando_token
from bot.api.tokens import configurar_parser as configurar_tokens
from bot.atendimento.servico import Atendimento
from bot.config.erros import ConfigInvalida
from bot.console.contexto import FUSO_CONSOLE
from bot.console.usuarios import comando_usuario
from bot.console.usuarios import configurar_parser as configurar_usuarios
from bot.conversa.diagrama import mermaid
from bot.conversa.fatos import Entrada, Resposta
from bot.dados.banco import criar_engine, migrar, sessao, url_padrao
from bot.dados.carteira import ler_carteira
from bot.dados.endereco import EnderecoInvalido, ler_endereco
from bot.dados.importacao import ImportacaoRecusada, importar_carteira
from bot.dados.modelos import Devedor, Transferencia
from bot.formatos import mascarar_cpf, normalizar_cpf, normalizar_telefone, parse_data, parse_valor, primeiro_nome
from bot.mascara import instalar as instalar_mascara
from bot.planilha import PlanilhaIlegivel, ler_planilha
from bot.projeto import Projeto, carregar_projeto
from bot.titular.linha_de_comando import comando_titular
from bot.titular.linha_de_comando import configurar_parser as configurar_titular

RAIZ = Path(__file__).resolve().parent.parent
EXEMPLO = RAIZ / "exemplos" / "carteira.csv"


def _agora(texto: str) -> datetime:
    try:
        instante = datetime.fromisoformat(texto)
    except ValueError as erro:
        raise argparse.ArgumentTypeError(
            f"--now inválido: {texto!r} (esperado ISO-8601, ex. 2026-11-23T10:00-03:00)"
        ) from erro
    if instante.tzinfo is None:
        raise argparse.ArgumentTypeError(f"--now sem fuso horário: {texto!r} (ex. 2026-11-23T10:00-03:00)")
    return instante


def _valor(texto: str) -> Decimal:
    try:
        valor = parse_valor(texto)
    except ValueError as erro:
        raise argparse.ArgumentTypeError(str(erro)) from erro
    if valor <= 0:
        raise argparse.ArgumentTypeError(f"valor inválido: {texto!r} (esperado maior que zero)")
    return valor


def _inteiro(minimo: int, maximo: int) -> Callable[[str], int]:
    def ler(texto: str) -> int:
        if not texto.strip().lstrip("-").isdigit() or not minimo <= int(texto) <= maximo:
            raise argparse.ArgumentTypeError(f"inválido: {texto!r} (esperado um inteiro de {minimo} a {maximo})")
        return int(texto)

    return ler


def _taxa(texto: str) -> float:
    try:
        valor = float(texto.replace(",", "."))
    except ValueError:
        valor = -1.0
    if not 0 <= valor <= 20:
        raise argparse.ArgumentTypeError(f"taxa inválida: {texto!r} (esperado um percentual ao mês de 0 a 20)")
    return valor


def _parser_simular(comandos: Any) -> None:
    simular = comandos.add_parser("simular", help="compara books de ofertas numa carteira com personas (motor real)")
    simular.add_argument("--carteira", type=Path, required=True, help="CSV da carteira (formato do import)")
    simular.add_argument("--personas", type=Path, required=True, help="TOML das personas de devedores")
    simular.add_argument("--book", type=Path, action="append", required=True, help="TOML de um book; repita")
    simular.add_argument("--semente", type=_inteiro(0, 2**31), default=1, help="semente (padrão: 1)")
    simular.add_argument("--rodadas", type=_inteiro(1, 1000), default=20, help="sorteios de personas (padrão: 20)")
    simular.add_argument("--taxa-mensal", type=_taxa, default=1.0, help="desconto do valor presente, % ao mês (1)")
    simular.add_argument("--svg", type=Path, default=Path("simulacao.svg"), help="onde gravar o gráfico")


def _data(texto: str) -> date:
    try:
        return parse_data(texto)
    except ValueError as erro:
        raise argparse.ArgumentTypeError(str(erro)) from erro


# Commands that may start a new database (and `demo`, which always makes one; `usuario criar`, the first user of
# a new deployment, too).
CRIAM_BANCO = frozenset({"import", "serve"})


def _conferir_banco(url: str, cria: bool) -> str | None:
    """One pt-BR line when `--db` is wrong, or names a SQLite file that does not exist for a command that only
    reads (a typo must not create an empty database and answer "Fila vazia.")."""
    try:
        endereco = ler_endereco(url)
    except EnderecoInvalido as erro:
        return str(erro)
    if endereco.arquivo is None or endereco.arquivo.exists():
        return None
    if not cria:
        return (
            f"banco não encontrado: {endereco.arquivo} (confira --db; só import, serve, demo e usuario criar criam "
            "um banco novo)"
        )
    print(f"criando banco novo em {endereco.arquivo}", file=sys.stderr)
    return None


def _abrir_banco(url: str, comando: str, cria: bool) -> bool:
    """Check `--db` and bring the database to the newest schema; False (the reason printed) when it cannot."""
    erro_do_banco = _conferir_banco(url, cria)
    if erro_do_banco is not None:
        print(erro_do_banco, file=sys.stderr)
        return False
    try:
        _migrar(url, esperar=comando == "serve")
    except (DBAPIError, OSError) as erro:
        causa = erro.orig if isinstance(erro, DBAPIError) and erro.orig is not None else erro
        primeira = (str(causa).splitlines() or [""])[0]
        print(f"não foi possível abrir o banco ({type(causa).__name__}: {primeira})", file=sys.stderr)
        return False
    return True


ESPERA_DO_BANCO = 60.0  # `serve` started with the database still coming up (a restart, a compose boot) waits this long


def _migrar(url: str, esperar: bool) -> None:
    """Migrate; with `esperar` (serve) a database that does not answer yet is waited for, one line a try."""
    fim = time.monotonic() + (ESPERA_DO_BANCO if esperar else 0.0)
    while True:
        try:
            migrar(url)
            return
        except (OperationalError, InterfaceError, OSError) as erro:
            if time.monotonic() > fim:
                raise
            primeira = (str(erro).splitlines() or [""])[0]
            print(
                f"banco ainda não responde ({type(erro).__name__}: {primeira}); nova tentativa em 1 s", file=sys.stderr
            )
            time.sleep(1)


def _relogio(args: argparse.Namespace) -> Callable[[], datetime]:
    """`--now` stops the clock; `--desde` starts it at an instant and lets it run (rehearsals, process tests)."""
    if args.now:
        return lambda: args.now
    if args.desde:
        partida, inicio = time.monotonic(), args.desde
        return lambda: inicio + timedelta(seconds=time.monotonic() - partida)
    return lambda: datetime.now(UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Bot de cobrança amigável")
    parser.add_argument("--config", type=Path, default=Path("config.toml"), help="arquivo de política (config.toml)")
    parser.add_argument("--db", default=None, help=f"URL SQLAlchemy do banco (padrão: {url_padrao()})")
    parser.add_argument("--now", type=_agora, default=None, help="fixa o relógio (ISO-8601 com fuso)")
    parser.add_argument("--desde", type=_agora, default=None, help="o relógio parte deste instante e anda (ensaios)")
    comandos = parser.add_subparsers(dest="comando", required=True, metavar="COMANDO")
    comandos.add_parser("check", help="valida config.toml, fluxos/ e mensagens/")
    importar = comandos.add_parser("import", help="importa uma carteira CSV")
    importar.add_argument("arquivo", type=Path)
    importar.add_argument("--skip-invalid", action="store_true", help="importa as linhas válidas e lista as outras")
    chat = comandos.add_parser("chat", help="conversa no terminal como um devedor")
    quem = chat.add_mutually_exclusive_group(required=True)
    quem.add_argument("--cpf")
    quem.add_argument("--telefone")
    chat.add_argument("--json", action="store_true", help="uma linha JSON por mensagem do bot")
    demo = comandos.add_parser("demo", help="banco novo com a carteira de exemplo e o chat web")
    demo.add_argument("--porta", type=int, default=None)
    serve = comandos.add_parser("serve", help="servidor web (chat web) sobre o banco configurado")
    serve.add_argument("--porta", type=int, default=None)
    serve.add_argument("--host", default=None, help="endereço de escuta (padrão: web.host; 0.0.0.0 num contêiner)")
    diagram = comandos.add_parser("diagram", help="escreve um diagrama Mermaid por fluxo (fluxos/NOME.mmd)")
    diagram.add_argument("--pasta", type=Path, default=None, help="onde escrever (padrão: fluxos/)")
    comandos.add_parser("fila", help="lista as conversas aguardando uma pessoa")
    regua = comandos.add_parser("regua", help="plano de lembretes do dia; sem --dry-run, enfileira")
    regua.add_argument("--data", type=_data, default=None, help="dia do plano, AAAA-MM-DD (padrão: hoje)")
    regua.add_argument("--dry-run", action="store_true", help="só mostra o plano; não enfileira")
    configurar_usuarios(comandos)
    _comandos_de_pagamento(comandos)
    dossie = comandos.add_parser("dossie", help="dossiê de um devedor: PDF e ZIP (JSON) com SHA-256, auditado")
    dossie.add_argument("--cpf", required=True)
    dossie.add_argument("--pasta", type=Path, default=Path(), help="onde gravar os arquivos (padrão: a atual)")
    experimentos = comandos.add_parser("experimentos", help="compara as variantes de cada experimento")
    acoes_exp = experimentos.add_subparsers(dest="acao", required=True, metavar="AÇÃO")
    relatorio = acoes_exp.add_parser("relatorio", help="por variante: taxas e R$ por devedor com intervalos")
    relatorio.add_argument("--nome", default=None, help="só este experimento (padrão: todos)")
    configurar_tokens(comandos)
    configurar_titular(comandos)
    _parser_simular(comandos)
    nlu = comandos.add_parser("nlu", help="treina ou avalia o classificador de intenções")
    acoes_nlu = nlu.add_subparsers(dest="acao", required=True, metavar="AÇÃO")
    acoes_nlu.add_parser("treinar", help="treina com fluxos/intencoes.toml e fluxos/treino/*.csv")
    avaliar = acoes_nlu.add_parser("avaliar", help="acurácia por estado e fenômeno num conjunto rotulado")
    avaliar.add_argument("arquivo", type=Path, nargs="?", default=None, help="CSV texto;estado;intencao;fenomenos")
    avaliar.add_argument("--resumo", action="store_true", help="sem a lista de erros")
    modelos = comandos.add_parser("modelos", help="modelos do WhatsApp declarados e a situação de cada um na Meta")
    modelos.add_argument("--enviar", action="store_true", help="submete à Meta os declarados que ela ainda não tem")
    return parser


def _comandos_de_pagamento(comandos: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pagar = comandos.add_parser("pagar", help="simula o pagamento de um documento (provedor local)")
    pagar.add_argument("documento", help="nosso número ou txid do documento")
    pagar.add_argument("--valor", type=_valor, default=None, help="valor pago (padrão: o que falta do documento)")
    pagar.add_argument("--data", type=_data, default=None, help="data do pagamento (padrão: hoje)")
    retorno = comandos.add_parser("import-pagamentos", help="registra os pagamentos de um CSV de retorno")
    retorno.add_argument("arquivo", type=Path)
    comandos.add_parser("quebrar-acordos", help="quebra acordos com parcela atrasada demais e reabre a dívida")


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    instalar_mascara()  # CPF, phone numbers and e-mails never reach a log line (LGPD)
    args = _parser().parse_args(argv)
    if args.comando == "nlu" and args.acao == "treinar":  # before loading: stale weights are why one trains
        from bot.atendimento.treinamento import comando_treinar

        return comando_treinar(args.config.parent, sys.stdout)
    projeto = _carregar(args.config)
    if projeto is None:
        return 1
    if args.comando == "check":
        return _check(projeto, args.db or url_padrao())
    if args.comando in ("diagram", "nlu", "simular"):
        return _sem_banco(projeto, args)
    relogio = _relogio(args)
    if args.comando == "demo":
        from bot.web.app import rodar_demo

        return rodar_demo(projeto, relogio, args.porta)
    url = args.db or url_padrao()
    cria = args.comando in CRIAM_BANCO or (args.comando == "usuario" and args.acao_usuario == "criar")
    if not _abrir_banco(url, args.comando, cria):
        return 1
    try:
        if args.comando == "serve":
            from bot.web.app import rodar

            return rodar(projeto, url, relogio, args.porta, demo=False, host=args.host)
        return asyncio.run(_assincrono(args, projeto, url, relogio))
    except ConfigInvalida as erro:  # a secret named in config but missing from the environment
        for item in erro.erros:
            print(item, file=sys.stderr)
        return 1


async def _assincrono(args: argparse.Namespace, projeto: Projeto, url: str, relogio: Callable[[], datetime]) -> int:
    engine = criar_engine(url)
    try:
        if args.comando == "import":
            return await importar(engine, args.arquivo, args.skip_invalid)
        if args.comando == "fila":
            return await fila(engine, sys.stdout)
        if args.comando == "regua":
            return await _regua(engine, projeto, relogio(), args.data, args.dry_run)
        if args.comando == "usuario":
            return await comando_usuario(engine, args, relogio(), sys.stdin, sys.stdout)
        if args.comando in ("experimentos", "dossie", "api-token", "titular", "modelos"):
            return await _gestao(args, projeto, engine, relogio)
        if args.comando in ("pagar", "import-pagamentos", "quebrar-acordos"):
            return await _pagamentos(args, projeto, engine, relogio)
        from bot.atendimento.llm import conselheiro_do_projeto
        from bot.pagamentos.provedores import criar_emissor

        emissor = criar_emissor(projeto, engine, os.environ)
        from bot.resultados.atribuicao import variacoes

        conselheiro = conselheiro_do_projeto(projeto, os.environ)
        atendimento = Atendimento(projeto.motor, engine, relogio, emissor, conselheiro, variacoes(projeto.config))
        return await chat(atendimento, args.cpf, args.telefone, args.json, sys.stdin, sys.stdout)
    finally:
        await engine.dispose()


async def _gestao(
    args: argparse.Namespace, projeto: Projeto, engine: AsyncEngine, relogio: Callable[[], datetime]
) -> int:
    """The managers' and integrators' commands: reports, evidence files, API tokens, LGPD requests, templates."""
    if args.comando == "experimentos":
        from bot.resultados.relatorio_experimentos import relatorio

        return await relatorio(engine, projeto.config.experimentos, args.nome, relogio(), sys.stdout, sys.stderr)
    if args.comando == "dossie":
        from bot.resultados.exportacao import comando_dossie

        config = projeto.config
        return await comando_dossie(engine, config, args.cpf, args.pasta, relogio(), sys.stdout, sys.stderr)
    if args.comando == "api-token":
        return await comando_token(engine, args, relogio(), sys.stdout)
    if args.comando == "titular":
        pasta_anexos = projeto.raiz / projeto.config.canais.pasta_anexos
        return await comando_titular(engine, args, relogio(), pasta_anexos, sys.stdout, sys.stderr)
    from bot.canais.gestao_modelos import comando_modelos

    return await comando_modelos(engine, projeto, relogio, args.enviar, sys.stdout, sys.stderr)


async def _regua(engine: AsyncEngine, projeto: Projeto, agora: datetime, dia: date | None, previa: bool) -> int:
    from bot.calendario import fuso
    from bot.disparo.comando import regua

    config = projeto.config
    dia = dia or agora.astimezone(fuso(config.regua.politica.uf_padrao)).date()
    from bot.resultados.atribuicao import resolvedor

    variantes = resolvedor(config.experimentos)
    return await regua(engine, config.regua, config.credor.nome, dia, agora, previa, sys.stdout, variantes)


async def _pagamentos(
    args: argparse.Namespace, projeto: Projeto, engine: AsyncEngine, relogio: Callable[[], datetime]
) -> int:
    from bot.pagamentos.comandos import importar_pagamentos, pagar
    from bot.pagamentos.confirmacao import Confirmador
    from bot.pagamentos.quebra import quebrar_acordos

    if args.comando == "quebrar-acordos":
        return await quebrar_acordos(engine, projeto.config.pagamentos.dias_para_quebra, relogio, sys.stdout)

    confirmador = Confirmador(engine, projeto.textos, projeto.config)
    if args.comando == "pagar":
        return await pagar(confirmador, args.documento, args.valor, args.data, relogio, sys.stdout)
    return await importar_pagamentos(confirmador, args.arquivo, relogio, sys.stdout)


def _carregar(config: Path) -> Projeto | None:
    """The project, or None after printing every configuration error."""
    try:
        return carregar_projeto(config)
    except ConfigInvalida as erro:
        for item in erro.erros:
            print(item, file=sys.stderr)
        print(f"{len(erro.erros)} erro(s) de configuração.", file=sys.stderr)
    except FileNotFoundError as erro:
        print(f"arquivo não encontrado: {erro.filename}", file=sys.stderr)
    return None


def _check(projeto: Projeto, url: str) -> int:
    from bot.canais.aviso_sms import avisos_sms

    print(projeto.resumo)
    for aviso in _avisos_modelos(projeto, url) + avisos_sms(projeto.config):
        print(aviso)
    return 0


def _avisos_modelos(projeto: Projeto, url: str) -> list[str]:
    """Warnings (never errors): templates in use that Meta has not approved, by the statuses last stored."""
    from bot.canais.aviso_modelos import SINCRONIZAR, avisos_do_banco

    problema = _conferir_banco(url, cria=False)
    if problema is not None:
        return [f"aviso: situação dos modelos do WhatsApp não conferida ({problema}): {SINCRONIZAR}"]
    return asyncio.run(avisos_do_banco(projeto.config, url))


def _sem_banco(projeto: Projeto, args: argparse.Namespace) -> int:
    """Commands over the project files only: `diagram`, `simular` and `nlu avaliar`."""
    if args.comando == "diagram":
        return _diagram(projeto, args.pasta)
    if args.comando == "simular":
        from bot.simulacao.execucao import Pedido, executar

        pedido = Pedido(args.carteira, args.personas, tuple(args.book), args.semente, args.rodadas, args.taxa_mensal,
                        args.svg)  # fmt: skip
        return executar(projeto.motor, pedido, _relogio(args)(), sys.stdout, sys.stderr)
    from bot.atendimento.treinamento import AVALIACAO_PADRAO, comando_avaliar

    arquivo = args.arquivo or projeto.raiz / AVALIACAO_PADRAO
    return comando_avaliar(projeto, arquivo, not args.resumo, sys.stdout)


def _diagram(projeto: Projeto, pasta: Path | None) -> int:
    destino = pasta or projeto.raiz / "fluxos"
    destino.mkdir(parents=True, exist_ok=True)
    for nome, fluxo in projeto.fluxos.items():
        arquivo = destino / f"{nome}.mmd"
        arquivo.write_text(mermaid(fluxo), encoding="utf-8")
        print(f"escrito {arquivo}")
    return 0


async def importar(engine: AsyncEngine, arquivo: Path, pular_invalidas: bool) -> int:
    try:
        texto = ler_planilha(arquivo)
    except PlanilhaIlegivel as erro:
        print(erro, file=sys.stderr)
        return 1
    leitura = ler_carteira(texto, str(arquivo))
    for erro_linha in leitura.erros:
        print(erro_linha, file=sys.stderr)
    try:
        async with sessao(engine) as s:
            resumo = await importar_carteira(s, leitura, pular_invalidas)
    except ImportacaoRecusada as recusa:
        linhas = len({erro.linha for erro in recusa.erros})
        print(
            f"Nada foi importado: {len(recusa.erros)} erro(s) em {linhas} linha(s). Corrija-as ou use --skip-invalid.",
            file=sys.stderr,
        )
        return 1
    print(resumo)
    return 0


async def fila(engine: AsyncEngine, saida: TextIO) -> int:
    async with sessao(engine) as s:
        consulta = (
            select(Transferencia, Devedor)
            .join(Devedor, col(Transferencia.devedor_id) == col(Devedor.id))
            .where(Transferencia.situacao == "aguardando")
            .order_by(col(Transferencia.criada_em))
        )
        linhas = (await s.exec(consulta)).all()
    if not linhas:
        print("Fila vazia.", file=saida)
        return 0
    print("Horários de Brasília (o fuso do console).", file=saida)
    for transferencia, devedor in linhas:
        detalhe = transferencia.dados.get("proposta", {}).get("texto") or transferencia.dados.get("texto", "")
        print(
            f"#{transferencia.id}  {transferencia.criada_em.astimezone(FUSO_CONSOLE):%d/%m/%Y %H:%M}  "
            f"{transferencia.motivo:<14} "
            f"{primeiro_nome(devedor.nome)} ({mascarar_cpf(devedor.cpf)})  conversa {transferencia.conversa_id}"
            + (f'  "{detalhe}"' if detalhe else ""),
            file=saida,
        )
    return 0


async def _devedor(engine: AsyncEngine, cpf: str | None, telefone: str | None) -> Devedor | None:
    async with sessao(engine) as s:
        if cpf is not None:
            consulta = select(Devedor).where(Devedor.cpf == normalizar_cpf(cpf))
        else:
            consulta = select(Devedor).where(Devedor.telefone == normalizar_telefone(telefone or ""))
        return (await s.exec(consulta)).first()


def _imprimir(respostas: Sequence[Resposta], em_json: bool, saida: TextIO) -> None:
    for resposta in respostas:
        titulos = [o.titulo for o in resposta.opcoes]
        if em_json:
            print(json.dumps({"text": resposta.texto, "options": titulos}, ensure_ascii=False), file=saida)
            continue
        print(f"bot> {resposta.texto}", file=saida)
        for numero, titulo in enumerate(titulos, start=1):
            print(f"     {numero}. {titulo}", file=saida)
    saida.flush()


async def chat(
    atendimento: Atendimento,
    cpf: str | None,
    telefone: str | None,
    em_json: bool,
    entrada: TextIO,
    saida: TextIO,
) -> int:
    try:
        devedor = await _devedor(atendimento.engine, cpf, telefone)
    except ValueError as erro:
        print(erro, file=sys.stderr)
        return 1
    if devedor is None or devedor.id is None:
        print("Nenhum devedor com esse CPF/telefone na carteira.", file=sys.stderr)
        return 1
    for linha in entrada:
        texto = linha.rstrip("\n")
        if not texto.strip():
            continue
        _imprimir(await atendimento.receber(devedor.id, "cli", Entrada(texto)), em_json, saida)
    return 0
