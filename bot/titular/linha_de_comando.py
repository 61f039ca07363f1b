"""`python -m bot titular exportar|corrigir|anonimizar --cpf X`: the data subject's requests, each audited."""

from __future__ import annotations

import argparse
import errno
import json
from datetime import datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.dados.banco import sessao
from bot.dados.carteira import CONVERSORES
from bot.dados.modelos import Devedor
from bot.formatos import mascarar_cpf, normalizar_cpf
from bot.titular.pedidos import (
    PedidoRecusado,
    anonimizar,
    apagar_audios,
    auditar_pedido,
    corrigir,
    exportar,
    sem_envios_ao_contato_antigo,
)

# Why the export file could not be written, in Portuguese (the operating system says it in English).
MOTIVOS_DO_SISTEMA = {
    errno.ENOENT: "a pasta não existe",
    errno.ENOTDIR: "o caminho passa por um arquivo, não por uma pasta",
    errno.EISDIR: "é uma pasta; informe o nome do arquivo",
    errno.EACCES: "sem permissão de escrita",
    errno.EPERM: "sem permissão de escrita",
    errno.ENOSPC: "disco cheio",
    errno.EROFS: "sistema de arquivos só de leitura",
}
ORIGEM = "pedido do titular (LGPD)"  # of the opt-out an anonymisation records
# option → column; values are checked by the portfolio import's own converters (one validator for both)
CORRECOES = {"telefone": "telefone", "email": "email", "telegram_id": "telegram_id"}


def configurar_parser(comandos: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    titular = comandos.add_parser("titular", help="pedidos do titular (LGPD): exportar, corrigir, anonimizar")
    acoes = titular.add_subparsers(dest="acao_titular", required=True, metavar="AÇÃO")
    exportar_ = acoes.add_parser("exportar", help="tudo o que o banco guarda sobre a pessoa, em JSON")
    exportar_.add_argument("--cpf", required=True)
    exportar_.add_argument("--arquivo", type=Path, default=None, help="onde gravar (padrão: a saída padrão)")
    corrigir_ = acoes.add_parser("corrigir", help="corrige telefone, e-mail ou telegram_id (vazio apaga)")
    corrigir_.add_argument("--cpf", required=True)
    for opcao in CORRECOES:
        corrigir_.add_argument(f"--{opcao.replace('_', '-')}", dest=opcao, default=None)
    anonimizar_ = acoes.add_parser("anonimizar", help="apaga contatos e textos; mantém dívida, pagamentos e acordos")
    anonimizar_.add_argument("--cpf", required=True)
    for sub in (exportar_, corrigir_, anonimizar_):
        sub.add_argument("--protocolo", type=_protocolo, default=None, help="número do pedido do titular (auditoria)")


def _protocolo(texto: str) -> str:
    if not texto.strip() or len(texto) > 100 or not texto.isprintable():
        raise argparse.ArgumentTypeError(f"protocolo inválido: {texto!r} (1 a 100 caracteres visíveis)")
    return texto.strip()


def _novos_contatos(args: argparse.Namespace) -> dict[str, str | None]:
    """The corrected values, checked like the portfolio's columns; PedidoRecusado naming every bad one."""
    novos: dict[str, str | None] = {}
    erros = []
    for opcao, coluna in CORRECOES.items():
        bruto = getattr(args, opcao)
        if bruto is None:
            continue
        if not bruto.strip():
            novos[coluna] = None
            continue
        try:
            novos[coluna] = CONVERSORES[coluna](bruto.strip())
        except ValueError as erro:
            erros.append(f"--{opcao.replace('_', '-')}: {erro} (valor: {bruto!r})")
    if erros:
        raise PedidoRecusado("; ".join(erros))
    if not novos:
        raise PedidoRecusado("nada a corrigir: informe --telefone, --email ou --telegram-id")
    return novos


async def comando_titular(
    engine: AsyncEngine, args: argparse.Namespace, agora: datetime, pasta_anexos: Path, saida: TextIO, erros: TextIO
) -> int:
    try:
        cpf = normalizar_cpf(args.cpf)
        novos = _novos_contatos(args) if args.acao_titular == "corrigir" else {}
    except (ValueError, PedidoRecusado) as erro:
        print(erro, file=erros)
        return 1
    async with sessao(engine) as s:
        devedor = (await s.exec(select(Devedor).where(Devedor.cpf == cpf))).first()
        if devedor is None:
            print(f"nenhum devedor com o CPF {mascarar_cpf(cpf)}", file=erros)
            return 1
        if args.acao_titular == "exportar":
            dados = await exportar(s, devedor)
            auditar_pedido(s, "exportar", devedor, agora, protocolo=args.protocolo, tabelas=sorted(dados))
            texto = json.dumps(dados, ensure_ascii=False, indent=2, sort_keys=True)
        elif args.acao_titular == "corrigir":
            try:
                mudancas = corrigir(devedor, novos)
            except PedidoRecusado as erro:
                print(erro, file=erros)
                return 1
            s.add(devedor)
            assert devedor.id is not None
            descartados = await sem_envios_ao_contato_antigo(s, devedor.id, mudancas)
            auditar_pedido(s, "corrigir", devedor, agora, protocolo=args.protocolo, campos=sorted(mudancas),
                           lembretes_descartados=descartados)  # fmt: skip
            texto = f"corrigido: {', '.join(sorted(mudancas)) or 'nada mudou'}"
            texto += f"; {descartados} lembrete(s) na fila para o contato antigo descartado(s)" if descartados else ""
        else:
            feito = await anonimizar(s, devedor, agora, ORIGEM)
            auditar_pedido(s, "anonimizar", devedor, agora, protocolo=args.protocolo, **feito.contagem)
            resumo = ", ".join(f"{quantos} {nome}" for nome, quantos in feito.contagem.items())
            texto = f"anonimizado: contatos e textos apagados ({resumo}); dívida, acordos e pagamentos mantidos"
        if args.acao_titular == "exportar" and args.arquivo is not None:
            try:  # before the commit: a file that could not be written is no export, and is not audited as one
                args.arquivo.write_text(texto + "\n", encoding="utf-8")
            except OSError as erro:
                motivo = MOTIVOS_DO_SISTEMA.get(erro.errno or 0, erro.strerror)
                print(f"{args.arquivo}: não foi possível gravar ({motivo}); nada foi exportado", file=erros)
                return 1
            texto = f"escrito {args.arquivo} ({len(dados)} tabela(s))"
        await s.commit()
    if args.acao_titular == "anonimizar":
        await apagar_audios(engine, pasta_anexos, feito.audios)
    print(texto, file=saida)
    return 0
