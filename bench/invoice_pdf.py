"""Invoice PDF benchmark: the same 500-site grouped invoice rendered by each candidate renderer.

The document is `invoicing.pdf.document.sample_document(--sites)`, formatted once by
`invoicing.pdf.render.prepare` (the same French strings for every renderer) and laid out
the same way by each: a summary page, the recap table (one row per site, header repeated),
one detail page per site (its lines, subtotals, a 13-bar consumption history), the
invoice number and "page n / N" on every page.

- Typst (PyPI `typst`): the product's renderer, `render_invoice_pdf` (tagged PDF/A-3b,
  typeset in a child process: its time includes that process's start, ≈ 70 ms);
- WeasyPrint (PyPI `weasyprint`, which needs Pango from the system): HTML + CSS paged
  media, PDF/A-3b and tags asked for;
- ReportLab (PyPI `reportlab`): platypus tables, a two-pass canvas for "page n / N";
  the open-source toolkit writes neither PDF/A nor tags.

Each render runs in its own (spawned) process, so its peak RSS is its own; the candidates
are alternated (Typst, WeasyPrint, ReportLab, Typst…), ``--repeats`` rounds. A candidate
that cannot be imported is reported as such. The two losers' prototypes are kept here,
short, so that the figures can be measured again.

    .venv/bin/python -m bench.invoice_pdf [--sites 500] [--repeats 3] [--only typst,reportlab]
"""

from __future__ import annotations

import argparse
import html
import io
import multiprocessing
import resource
import statistics
import time
from typing import Any

from bench.common import ROOT, BenchRun, alternate  # noqa: F401  (ROOT: the project on sys.path)

CANDIDATES = ("typst", "weasyprint", "reportlab")


# --- WeasyPrint prototype --------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 2.1cm 1.5cm 2cm;
  @top-left { content: string(supplier); font-size: 8pt; }
  @top-right { content: string(number); font-size: 8pt; }
  @bottom-right { content: string(number) " — page " counter(page) " / " counter(pages); font-size: 7pt; } }
body { font-family: serif; font-size: 8.8pt; }
.meta { string-set: supplier attr(data-supplier), number attr(data-number); }
table { border-collapse: collapse; width: 100%; } td, th { border: 0.4pt solid #9aa9bb; padding: 2px 3px; }
td.n { text-align: right; } thead { display: table-header-group; }
section.site { break-before: page; } section.recap { break-before: page; font-size: 7.6pt; }
.bars { display: flex; align-items: flex-end; height: 1.6cm; gap: 3px; } .bars div { flex: 1; background: #1f3a5f; }
"""


def _rows(cells: list[list[str]], numeric_from: int) -> str:
    return "".join(
        "<tr>"
        + "".join(f"<td{' class=n' if i >= numeric_from else ''}>{html.escape(c)}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in cells
    )


def weasyprint_pdf(data: dict[str, Any]) -> bytes:
    import weasyprint

    e = html.escape
    t = data["totals"]
    parts = [
        f'<html lang=fr><body><div class=meta data-supplier="{e(data["supplier"]["name"])}" '
        f'data-number="{e(data["title"])} n° {e(data["number"])}"></div>',
        f"<h2>{e(data['supplier']['name'])}</h2><p>{'<br>'.join(map(e, data['supplier']['address']))}</p>",
        f"<p><b>{e(data['buyer']['legal_name'])}</b><br>{'<br>'.join(map(e, data['buyer']['address']))}</p>",
        f"<h1>{e(data['title'])} n° {e(data['number'])}</h1><p>{e(data['amount_label'])} : <b>{e(t['incl_vat'])}</b> "
        f"avant le {e(data['due_date'])}</p>",
        "<table>"
        + _rows(
            [
                ["Total HT", t["excl_vat"]],
                *[[f"TVA {v['percent']}", v["amount"]] for v in t["vat"]],
                ["Total TTC", t["incl_vat"]],
            ],
            1,
        )
        + "</table>",
        "<p>Pénalités de retard : trois fois le taux d'intérêt légal ; indemnité forfaitaire pour frais de "
        "recouvrement de 40 €. Aucun escompte pour paiement anticipé.</p>",
        *[f"<p><small>{e(m)}</small></p>" for m in data["legal_mentions"]],
        "<section class=recap><h2>Récapitulatif par site</h2><table><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in ["Site", "kWh", "Consom. HT", "Abonn. HT", "Taxes HT", "Total HT", "TTC"])
        + "</tr></thead>"
        + _rows(
            [
                [
                    f"{s['site_name']} {s['delivery_point']}",
                    s["consumption_kwh"],
                    s["consumption_excl_vat"],
                    s["subscription_excl_vat"],
                    s["taxes_excl_vat"],
                    s["total_excl_vat"],
                    s["total_incl_vat"],
                ]
                for s in data["sites"]
            ],
            1,
        )
        + "</table></section>",
    ]
    for s in data["sites"]:
        top = max([m["value"] for m in s["history"]] + [1])
        parts.append(
            f"<section class=site><h2>Détail du site — {e(s['site_name'])}</h2><p>Point de livraison : "
            f"{e(s['delivery_point'])}<br>{'<br>'.join(map(e, s['address']))}<br>{e(s['consumption_period'])}</p>"
            "<table><thead><tr>"
            + "".join(f"<th>{h}</th>" for h in ["Libellé", "Période", "Quantité", "Unité", "Prix", "Montant HT", "TVA"])
            + "</tr></thead>"
            + _rows(
                [
                    [line[key] for key in ("label", "period", "quantity", "unit", "unit_price", "amount", "vat")]
                    for line in s["lines"]
                ],
                2,
            )
            + "</table><table>"
            + _rows([["Total HT", s["total_excl_vat"]], ["Total TTC", s["total_incl_vat"]]], 1)
            + "</table>"
            "<h3>Historique de consommation (kWh)</h3><div class=bars>"
            + "".join(f'<div style="height:{100 * m["value"] / top:.0f}%"></div>' for m in s["history"])
            + "</div>"
            "<table><tr>"
            + "".join(f"<td>{e(m['label'])}<br>{e(m['kwh'])}</td>" for m in s["history"])
            + "</tr></table></section>"
        )
    document = weasyprint.HTML(string="".join(parts) + "</body></html>")
    return document.write_pdf(stylesheets=[weasyprint.CSS(string=CSS)], pdf_variant="pdf/a-3b", pdf_tags=True)


# --- ReportLab prototype ---------------------------------------------------------------------


def reportlab_pdf(data: dict[str, Any]) -> bytes:
    from reportlab.graphics.shapes import Drawing, Rect
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas as pdfcanvas
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    # The standard Type 1 fonts lack the narrow no-break space; embed a TrueType font, as a real invoice would.
    pdfmetrics.registerFont(TTFont("DejaVu", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        style.fontName = "DejaVu"
    body, h1, h2 = styles["BodyText"], styles["Heading1"], styles["Heading2"]
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("FONT", (0, 0), (-1, -1), "DejaVu", 7),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ]
    )
    label = f"{data['title']} n° {data['number']}"

    class Numbered(pdfcanvas.Canvas):  # the classic two-pass "page n / N"
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self.pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for state in self.pages:
                self.__dict__.update(state)
                self.setFont("DejaVu", 7)
                self.drawString(1.5 * cm, 28.3 * cm, data["supplier"]["name"])
                self.drawRightString(19.5 * cm, 1.2 * cm, f"{label} — page {self._pageNumber} / {len(self.pages)}")
                super().showPage()
            super().save()

    t = data["totals"]
    story: list[Any] = [
        Paragraph(html.escape(data["supplier"]["name"]), h2),
        Paragraph("<br/>".join(map(html.escape, data["buyer"]["address"])), body),
        Paragraph(html.escape(label), h1),
        Paragraph(f"{data['amount_label']} : <b>{t['incl_vat']}</b> avant le {data['due_date']}", body),
        Table(
            [
                ["Total HT", t["excl_vat"]],
                *[[f"TVA {v['percent']}", v["amount"]] for v in t["vat"]],
                ["Total TTC", t["incl_vat"]],
            ],
            style=grid,
        ),
        Paragraph(
            "Pénalités de retard : trois fois le taux d'intérêt légal ; indemnité forfaitaire pour frais de "
            "recouvrement de 40 €. Aucun escompte pour paiement anticipé.",
            body,
        ),
        *[Paragraph(html.escape(m), body) for m in data["legal_mentions"]],
        PageBreak(),
        Paragraph("Récapitulatif par site", h2),
        Table(
            [["Site", "kWh", "Consom. HT", "Abonn. HT", "Taxes HT", "Total HT", "TTC"]]
            + [
                [
                    f"{s['site_name']} {s['delivery_point']}",
                    s["consumption_kwh"],
                    s["consumption_excl_vat"],
                    s["subscription_excl_vat"],
                    s["taxes_excl_vat"],
                    s["total_excl_vat"],
                    s["total_incl_vat"],
                ]
                for s in data["sites"]
            ],
            repeatRows=1,
            style=grid,
        ),
    ]
    for s in data["sites"]:
        top = max([m["value"] for m in s["history"]] + [1])
        chart = Drawing(17 * cm, 1.6 * cm)
        for i, m in enumerate(s["history"]):
            chart.add(
                Rect(i * 1.3 * cm, 0, 1.2 * cm, 1.6 * cm * m["value"] / top, fillColor=colors.navy, strokeWidth=0)
            )
        story += [
            PageBreak(),
            Paragraph(f"Détail du site — {html.escape(s['site_name'])}", h2),
            Paragraph(f"Point de livraison : {s['delivery_point']}<br/>{s['consumption_period']}", body),
            Table(
                [["Libellé", "Période", "Quantité", "Unité", "Prix", "Montant HT", "TVA"]]
                + [
                    [line[key] for key in ("label", "period", "quantity", "unit", "unit_price", "amount", "vat")]
                    for line in s["lines"]
                ],
                repeatRows=1,
                style=grid,
            ),
            Table([["Total HT", s["total_excl_vat"]], ["Total TTC", s["total_incl_vat"]]], style=grid),
            Paragraph("Historique de consommation (kWh)", h2),
            chart,
            Table([[m["label"] for m in s["history"]], [m["kwh"] for m in s["history"]]], style=grid),
        ]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=label).build(story, canvasmaker=Numbered)
    return out.getvalue()


# --- Measurement ------------------------------------------------------------------------------


def _render(name: str, sites: int) -> dict[str, Any]:
    from invoicing.pdf.document import sample_document
    from invoicing.pdf.render import prepare, render_invoice_pdf

    doc = sample_document(sites)
    data = prepare(doc)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    if name == "typst":
        pdf = render_invoice_pdf(doc)
    elif name == "weasyprint":
        pdf = weasyprint_pdf(data)
    else:
        pdf = reportlab_pdf(data)
    seconds = time.perf_counter() - start
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root: Any = reader.trailer["/Root"]
    return {
        "seconds": seconds,
        # Typst renders in a child process of its own: the peak is the larger of this process and its children.
        "peak_rss_mb": max(
            resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        )
        / 1024,
        "rss_before_mb": before,
        "size_mb": len(pdf) / 1e6,
        "pages": len(reader.pages),
        "pdfa": b"pdfaid:part" in pdf or b"pdfaid:part" in _xmp(reader),
        "tagged": "/StructTreeRoot" in root,
    }


def _xmp(reader: Any) -> bytes:
    metadata = reader.trailer["/Root"].get("/Metadata")
    return metadata.get_object().get_data() if metadata is not None else b""


def _child(name: str, sites: int, queue: Any) -> None:
    try:
        queue.put(_render(name, sites))
    except Exception as error:
        queue.put({"error": f"{type(error).__name__}: {error}"})


def measure(name: str, sites: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue()
    process = context.Process(target=_child, args=(name, sites, queue))
    process.start()
    stats = queue.get()
    process.join()
    return stats


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default=",".join(CANDIDATES))
    args = parser.parse_args()
    names = [name for name in args.only.split(",") if name in CANDIDATES]
    run = BenchRun(f"Invoice PDF, a {args.sites}-site grouped invoice")
    stats: dict[str, list[dict[str, Any]]] = {name: [] for name in names}

    def candidate(name: str) -> Any:
        def call() -> None:
            stats[name].append(measure(name, args.sites))
            last = stats[name][-1]
            figures = "{seconds:.2f} s, {peak_rss_mb:.0f} MB".format(**last) if "seconds" in last else last["error"]
            run.note(f"{name}: {figures}")

        return call

    alternate({name: candidate(name) for name in names}, repeats=args.repeats)
    lines = [
        f"- document: `sample_document({args.sites})` (the engine's 11–14 lines and a 13-month history per site), "
        "the same French strings for every renderer; each render in its own spawned process, alternated, median of "
        f"{args.repeats}; peak RSS of the process or of its child (Python and the document ≈ 40–60 MB before the "
        "render)",
        "",
        "| renderer | time (median; runs) | peak RSS | file | pages | PDF/A declared | tagged |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        runs = stats[name]
        if "error" in runs[-1]:
            lines.append(f"| {name} | not measured: {runs[-1]['error']} | | | | | |")
            continue
        seconds = [r["seconds"] for r in runs]
        last = runs[-1]
        lines.append(
            f"| {name} | {statistics.median(seconds):.2f} s ({', '.join(f'{s:.2f}' for s in seconds)}) | "
            f"{statistics.median(r['peak_rss_mb'] for r in runs):.0f} MB | {last['size_mb']:.1f} MB | "
            f"{last['pages']} | "
            f"{'yes' if last['pdfa'] else 'no'} | {'yes' if last['tagged'] else 'no'} |"
        )
    run.report(lines)


if __name__ == "__main__":
    main()
