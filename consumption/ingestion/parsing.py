"""Reading the distributors' files (CSV and XML) into a frame of raw text columns.

The formats are documented in ``consumption/samples/README.md``. Every parser returns
a DataFrame whose columns are the canonical names of the kind (``point``, ``date``,
``post``, ``index_wh``, ``calendar``; ``timestamp``, ``power_w``, ``step``;
``gas_day``, ``volume_m3``, ``coef``; periodic readings add ``nature`` and
``turnover``) as strings, plus ``line``: the line of the CSV file (header = 1) or the
position of the measurement in the XML file.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from consumption.choices import FileKind


class FileFormatError(ValueError):
    """The file cannot be read at all (the report says why, in French)."""


# CSV header (French, as the distributors write them) -> canonical column, per kind.
CSV_COLUMNS: dict[str, dict[str, str]] = {
    FileKind.DAILY_INDEX: {"point": "point", "date": "date", "poste": "post", "index_wh": "index_wh"},
    FileKind.LOAD_CURVE: {"point": "point", "horodate": "timestamp", "puissance_w": "power_w", "pas_minutes": "step"},
    FileKind.GAS_DAILY: {"point": "point", "jour_gazier": "gas_day", "volume_m3": "volume_m3", "coefficient": "coef"},
    FileKind.PERIODIC: {
        "point": "point",
        "date_releve": "date",
        "poste": "post",
        "index_wh": "index_wh",
        "nature": "nature",
    },
}
CSV_OPTIONAL: dict[str, dict[str, str]] = {
    FileKind.DAILY_INDEX: {"calendrier": "calendar"},
    FileKind.PERIODIC: {"passage_zero": "turnover", "calendrier": "calendar"},
}
TEXT_COLUMNS = (
    "point",
    "date",
    "poste",
    "calendrier",
    "horodate",
    "jour_gazier",
    "date_releve",
    "nature",
    "passage_zero",
)
# Columns whose readers strip each distinct value themselves (``factorize_stripped``): on a
# million-line curve file, stripping them here too would cost a pass over every line.
STRIPPED_LATER = ("point", "timestamp")
XML_ROOTS = {
    "R171": FileKind.DAILY_INDEX,
    "R50": FileKind.LOAD_CURVE,
    "PublicationsGRDF": FileKind.GAS_DAILY,
    "R15": FileKind.PERIODIC,
}


def factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) like ``pd.factorize``, NaN included as a value.

    Text is factorized as plain Python objects: twice as fast as pandas' "str" dtype.
    """
    data = values.to_numpy(dtype=object) if pd.api.types.is_string_dtype(values.dtype) else values
    codes, distinct = pd.factorize(data, use_na_sentinel=False)
    return codes, np.asarray(distinct)


def factorize_stripped(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``factorize`` of the values with their surrounding spaces removed (stripped once per distinct value)."""
    codes, distinct = factorize(values)
    stripped_codes, stripped = factorize(pd.Series(distinct, dtype=object).astype(str).str.strip())
    return stripped_codes[codes], stripped


def per_distinct(values: pd.Series, transform: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``transform`` applied once to each distinct value, spread back to every row.

    A meter-data file repeats the same few thousand points, dates, posts and
    timestamps on every line: working on the distinct values is what keeps parsing
    and validation fast (string operations on every row are the slow part in pandas).
    """
    codes, distinct = factorize(values)
    result = transform(pd.Series(distinct, dtype=values.dtype))
    return pd.Series(result.to_numpy()[codes], index=values.index)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileFormatError("Encodage du fichier non reconnu (UTF-8 ou Windows-1252 attendu).")


def detect(content: bytes) -> tuple[str, str]:
    """(file format, kind) of a file from its first bytes."""
    head = _decode(content[:4096]).lstrip()
    if head.startswith("<"):
        for root, kind in XML_ROOTS.items():
            if re.search(rf"<{root}[\s>]", head):
                return "xml", kind
        raise FileFormatError("Fichier XML d'un type inconnu (racines attendues : R171, R50, PublicationsGRDF, R15).")
    header = {name.strip().lower() for name in head.splitlines()[0].split(";")} if head else set()
    for csv_kind, columns in CSV_COLUMNS.items():
        if set(columns) <= header:
            return "csv", csv_kind
    raise FileFormatError("En-tête CSV non reconnu : voir les formats attendus (séparateur « ; »).")


def parse_csv(content: bytes, kind: str) -> pd.DataFrame:
    text = _decode(content)
    try:
        # Text columns stay text; numeric columns are parsed by pandas' C reader when they are clean
        # (a column holding a bad value or a decimal comma stays text and goes through to_number).
        frame = pd.read_csv(
            io.StringIO(text),
            sep=";",
            dtype=dict.fromkeys(TEXT_COLUMNS, str),
            keep_default_na=False,
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise FileFormatError(f"Fichier CSV illisible : {error}") from error
    frame.columns = [str(name).strip().lower() for name in frame.columns]
    expected = CSV_COLUMNS[kind]
    missing = [name for name in expected if name not in frame.columns]
    if missing:
        raise FileFormatError(f"Colonnes manquantes : {', '.join(missing)}.")
    renames = {**expected, **CSV_OPTIONAL.get(kind, {})}
    frame = frame[[name for name in renames if name in frame.columns]].rename(columns=renames)
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].astype(str)
            if column not in STRIPPED_LATER:
                frame[column] = per_distinct(frame[column], lambda texts: texts.str.strip())
    frame["line"] = frame.index.to_numpy() + 2  # header is line 1
    return frame.reset_index(drop=True)


def _xml_root(content: bytes) -> ET.Element:
    head = content[:65536].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise FileFormatError("Fichier XML refusé : les déclarations DOCTYPE/ENTITY ne sont pas admises.")
    try:
        return ET.fromstring(content)  # noqa: S314 - no DTD possible (checked above), so no entity expansion
    except ET.ParseError as error:
        raise FileFormatError(f"Fichier XML illisible : {error}") from error


def _text(element: ET.Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _kwh_to_wh(value: str) -> str:
    """An index in kWh written in Wh, exactly (decimal arithmetic); unreadable text is left for validation."""
    try:
        return format(Decimal(value.replace(",", ".")) * 1000, "f")
    except InvalidOperation:
        return value


def parse_xml(content: bytes, kind: str) -> pd.DataFrame:
    root = _xml_root(content)
    rows: list[tuple[str, ...]] = []
    if kind == FileKind.DAILY_INDEX:
        columns = ["point", "calendar", "post", "date", "index_wh"]
        for series in root.iter("serieMesuresDatees"):
            point, calendar = _text(series.find("prmId")), _text(series.find("codeCalendrier"))
            post = _text(series.find("codeClasseTemporelle"))
            for measure in series.iter("mesureDatee"):
                rows.append((point, calendar, post, _text(measure.find("dateFin"))[:10], _text(measure.find("valeur"))))
    elif kind == FileKind.LOAD_CURVE:
        columns = ["point", "step", "timestamp", "power_w"]
        for prm in root.iter("PRM"):
            point = _text(prm.find("Id_PRM"))
            for reading in prm.iter("Donnees_Releve"):
                step = _text(reading.find("Pas_Publication"))
                for pdc in reading.iter("PDC"):
                    rows.append((point, step, _text(pdc.find("H")), _text(pdc.find("V"))))
    elif kind == FileKind.PERIODIC:
        columns = ["point", "date", "nature", "post", "index_wh", "turnover"]
        for prm in root.iter("PRM"):
            point = _text(prm.find("Id_PRM"))
            for reading in prm.iter("Donnees_Releve"):
                read_on, nature = _text(reading.find("Date_Releve"))[:10], _text(reading.find("Nature_Index"))
                for register in reading.iter("Classe_Temporelle_Distributeur"):
                    value = _text(register.find("Valeur"))
                    if _text(register.find("Unite_Mesure")).lower() == "kwh":  # R15 may count in kWh
                        value = _kwh_to_wh(value)
                    rows.append(
                        (
                            point,
                            read_on,
                            nature,
                            _text(register.find("Id_Classe_Temporelle")),
                            value,
                            _text(register.find("Indicateur_Passage_A_Zero")),
                        )
                    )
    else:
        columns = ["point", "gas_day", "volume_m3", "coef"]
        for pce in root.iter("PCE"):
            point = _text(pce.find("Id_PCE"))
            for day in pce.iter("Releve_Quotidien"):
                rows.append(
                    (
                        point,
                        _text(day.find("Journee_Gaziere"))[:10],
                        _text(day.find("Volume_Brut")),
                        _text(day.find("Coeff_Conversion")),
                    )
                )
    frame = pd.DataFrame(rows, columns=columns, dtype=str)
    frame["line"] = frame.index.to_numpy() + 1  # position of the measurement in the file
    return frame


def parse(content: bytes, *, kind: str | None = None) -> tuple[str, str, pd.DataFrame]:
    """(file format, kind, raw frame). ``kind`` given by the caller wins over detection."""
    file_format, detected = detect(content)
    kind = kind or detected
    if kind != detected:
        raise FileFormatError(f"Le fichier ressemble à « {detected} », pas à « {kind} ».")
    frame = parse_csv(content, kind) if file_format == "csv" else parse_xml(content, kind)
    return file_format, kind, frame
