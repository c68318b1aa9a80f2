"""Lantian Registry policy engine (政策引擎): pure rules over policy packs, no Flask, no database, no clock.

Public entry points: grading.contract.evaluate / list_packs, grading.document.load_document,
grading.batch.evaluate_frame / evaluate_documents; errors in grading.errors. See docs/evaluate.md.
"""
