"""Style sheets of the HTML reports: readable on screen, clean when printed to PDF."""

from __future__ import annotations

CLINICIAN_CSS = """
:root { --ink: #1d232b; --muted: #5b6673; --rule: #c9d1da; --band: #f2f5f8; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.4 "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       max-width: 1100px; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 17pt; margin: 0 0 .2em; }
h2 { font-size: 13pt; margin: 1.4em 0 .5em; border-bottom: 2px solid var(--ink);
     padding-bottom: .15em; }
.meta { color: var(--muted); margin: 0 0 .8em; }
.disclaimer { border: 1px solid #b58900; background: #fff8e1; padding: .5em .8em; }
.verdict { display: flex; gap: 1.2em; align-items: center; border: 1px solid var(--rule);
           background: var(--band); padding: .6em 1em; margin: .8em 0; }
.badge { display: inline-block; min-width: 3.2em; text-align: center; font-weight: bold;
         border-radius: 4px; padding: .15em .5em; border: 1px solid #0003; }
.verdict .badge { font-size: 15pt; }
.cat-1, .cat-2 { background: #d8f0da; } .cat-3 { background: #fff3b0; }
.cat-0 { background: #ffd9a8; } .cat-4A, .cat-4B, .cat-4C { background: #ffc4c4; }
.cat-5 { background: #f7a8d8; } .cat-none { background: #e4e4e4; }
table { border-collapse: collapse; width: 100%; margin: .3em 0 1em; }
th, td { border: 1px solid var(--rule); padding: .3em .45em; vertical-align: top;
         text-align: left; }
th { background: var(--band); font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
table.findings td { font-size: 9.5pt; }
table.benign td { font-size: 8.5pt; padding: .15em .4em; }
h3 { font-size: 11pt; margin: 1em 0 .3em; }
ul.reasons { margin: 0; padding-left: 1.1em; }
ul.inline { display: inline; padding: 0; }
ul.inline li { display: inline; }
ul.inline li + li::before { content: " \\00b7  "; color: var(--muted); }
tr.why td { border-top: none; background: #fbfcfd; }
tbody.finding { border-top: 2px solid var(--rule); }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr));
           gap: 1em; }
figure { margin: 0; border: 1px solid var(--rule); padding: .4em; background: #fafafa; }
figure img { width: 100%; height: auto; display: block; }
figcaption { font-size: 9pt; color: var(--muted); margin-top: .3em; }
.none { color: var(--muted); font-style: italic; }
.note { color: var(--muted); font-size: 9pt; margin: 0 0 .3em; }
footer { margin-top: 2em; font-size: 9pt; color: var(--muted); }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  tr, td, th, tbody.finding, figure, .verdict, .disclaimer { break-inside: avoid;
                                                             page-break-inside: avoid; }
  thead { display: table-header-group; }
  .figures { display: block; }
  figure { display: inline-block; width: 32%; vertical-align: top; margin: 0 0 .5em; }
  figure img { max-height: 150mm; object-fit: contain; }
  .badge, th, .verdict, .disclaimer { -webkit-print-color-adjust: exact;
                                      print-color-adjust: exact; }
}
"""

PATIENT_CSS = """
body { font: 13pt/1.6 Georgia, "Times New Roman", serif; color: #1d232b; max-width: 42em;
       margin: 2em auto; padding: 0 1.2em; }
h1 { font-size: 19pt; margin-bottom: .3em; }
h2 { font-size: 14pt; margin: 1.4em 0 .3em; }
p, li { margin: .4em 0; }
.next { border-left: 5px solid #2b6cb0; background: #eef4fb; padding: .5em 1em; }
footer { margin-top: 2em; font-size: 11pt; color: #5b6673; }
@page { size: A4; margin: 18mm; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
  .next, p { break-inside: avoid; } }
"""
