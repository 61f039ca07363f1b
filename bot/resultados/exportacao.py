"""Export the evidence file of a debtor: the PDF and a ZIP (JSON + PDF + checksums), each export audited."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config.arquivo import Config
from bot.dados.atendentes import Auditoria, Usuario
from bot.dados.banco import sessao
from bot.dados.modelos import Devedor
from bot.formatos import mascarar_cpf, normalizar_cpf
from bot.resultados.dossie import ACAO_EXPORTACAO, montar


@dataclass(frozen=True)
class Exportado:
    nome: str  # file name without extension: dossie-devedor-<id>-<UTC instant>
    pdf: bytes
    zip: bytes
    sha256: str  # of the content (see bot.resultados.dossie.sha256_do_conteudo)


def _sha(conteudo: bytes) -> str:
    return hashlib.sha256(conteudo).hexdigest()


def _zip(dados: dict[str, object], pdf: bytes, agora: datetime) -> bytes:
    """dossie.json, dossie.pdf and SHA256SUMS (`sha256sum -c` checks it), with fixed dates inside."""
    texto = json.dumps(dados, ensure_ascii=False, indent=2, sort_keys=True).encode()
    somas = f"{_sha(texto)}  dossie.json\n{_sha(pdf)}  dossie.pdf\n".encode()
    carimbo = agora.astimezone(UTC).timetuple()[:6]
    memoria = io.BytesIO()
    with zipfile.ZipFile(memoria, "w", zipfile.ZIP_DEFLATED) as arquivo:
        for nome, conteudo in (("dossie.json", texto), ("dossie.pdf", pdf), ("SHA256SUMS", somas)):
            arquivo.writestr(zipfile.ZipInfo(nome, date_time=carimbo), conteudo, zipfile.ZIP_DEFLATED)
    return memoria.getvalue()


async def devedor_por_cpf(s: AsyncSession, cpf: str) -> Devedor | None:
    """The debtor with this CPF (any punctuation); ValueError with a pt-BR message when the CPF is invalid."""
    return (await s.exec(select(Devedor).where(Devedor.cpf == normalizar_cpf(cpf)))).first()


async def exportar(
    engine: AsyncEngine, config: Config, devedor_id: int, usuario: Usuario | None, agora: datetime
) -> Exportado | None:
    """Build the file and audit the export in one transaction; None when the debtor does not exist."""
    async with sessao(engine) as s:
        devedor = await s.get(Devedor, devedor_id)
        if devedor is None:
            return None
        por = f"{usuario.nome} ({usuario.papel}, console)" if usuario else "linha de comando (python -m bot dossie)"
        dados = await montar(s, config, devedor, agora, por)
        from bot.resultados.dossie_pdf import gerar  # fpdf loads at the first export, not at start

        pdf = gerar(dados)
        pacote = _zip(dados, pdf, agora)
        s.add(
            Auditoria(
                usuario_id=usuario.id if usuario else None,
                acao=ACAO_EXPORTACAO,
                dados={"devedor": devedor_id, "sha256": dados["sha256"], "pdf": _sha(pdf), "zip": _sha(pacote)},
                criada_em=agora,
            )
        )
        await s.commit()
    nome = f"dossie-devedor-{devedor_id}-{agora.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return Exportado(nome, pdf, pacote, str(dados["sha256"]))


async def comando_dossie(
    engine: AsyncEngine, config: Config, cpf: str, pasta: Path, agora: datetime, saida: TextIO, erros: TextIO
) -> int:
    """`python -m bot dossie --cpf X`: write the PDF and the ZIP into `pasta` and say where, with the SHA-256."""
    try:
        async with sessao(engine) as s:
            devedor = await devedor_por_cpf(s, cpf)
    except ValueError:
        print(f"CPF inválido: {cpf!r} (11 dígitos com os verificadores, ex. 390.533.447-05)", file=erros)
        return 1
    if devedor is None or devedor.id is None:
        print(f"nenhum devedor com o CPF {mascarar_cpf(normalizar_cpf(cpf))}", file=erros)
        return 1
    if not pasta.is_dir():
        print(f"pasta não encontrada: {pasta}", file=erros)
        return 1
    exportado = await exportar(engine, config, devedor.id, None, agora)
    assert exportado is not None
    try:
        for extensao, conteudo in (("pdf", exportado.pdf), ("zip", exportado.zip)):
            (pasta / f"{exportado.nome}.{extensao}").write_bytes(conteudo)
    except OSError as erro:
        print(f"não foi possível gravar em {pasta}: {erro.strerror}", file=erros)
        return 1
    print(
        f"{pasta / exportado.nome}.pdf\n{pasta / exportado.nome}.zip\nSHA-256 do conteúdo: {exportado.sha256}",
        file=saida,
    )
    return 0
