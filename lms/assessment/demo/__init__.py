"""The demo course's question bank, shipped as an XLSX in the import template
(``bank.xlsx``, built by ``build_bank.py`` from the rows written out there, so anyone can
read its answer key), and the seed-demo step that imports it."""
