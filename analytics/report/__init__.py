"""What the product tells from the data: the cohort report of SPEC §7–§9 (cohorts), the weekly review (review),
the HTML file to share after the meeting (html, its SVG charts, templates/), the plain-text digest (digest),
spreadsheet-safe CSV files (export) and the colours shared with the dashboard (palette)."""
