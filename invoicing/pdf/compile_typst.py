"""Compile the invoice template in a child process: JSON on stdin, the PDF on stdout.

Run by `invoicing.pdf.render.render_invoice_pdf` as ``python -I compile_typst.py``. The
`typst` package keeps every compilation's memoized work in a process-wide cache it never
evicts (≈ 2 MB per page: 1 GB after six 100-site invoices in one process, measured), so
each invoice is typeset in a process of its own, which gives all of it back on exit. This
file imports nothing from the project.

stdin: {"template": path, "data": the JSON string of `prepare`, "timestamp": UNIX seconds,
"standard": "a-3b"}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    import typst

    job = json.loads(sys.stdin.buffer.read())
    template = Path(job["template"])
    compiler = typst.Compiler(template, root=template.parent, ignore_system_fonts=True)
    pdf = compiler.compile(
        format="pdf",
        sys_inputs={"data": job["data"]},
        pdf_standards=[job["standard"]],
        timestamp=int(job["timestamp"]),
        pdf_tags=True,
    )
    assert isinstance(pdf, bytes)
    sys.stdout.buffer.write(pdf)


if __name__ == "__main__":
    main()
