"""Grading HW 8 submissions: ``python -m grading SUBMISSIONS --out grades`` (``make grade``).

For instructors only; nothing here is part of the student handout. One module per concern:

==================  ================================================================
``points``          the parts and their points (the homework's one table of parts)
``submissions``     finding each student's notebooks in folders and handout zips
``handout``         the instructor's handout, built once per run, and its solution cells
``cells``           what a code cell defines and uses (for matching and cell selection)
``assemble``        the graded notebook: the handout with the student's code substituted
``sandbox``         a fresh folder and a minimal environment for each notebook's kernel
``guard``           the file-access policy enforced inside the kernel (an audit hook)
``serve``           the request server inside the student's kernel (no secret: self-checks, requests)
``channel``         the grader's side of the data channel: requests out, checked data back
``trusted``         references and hidden cases in the grader's process (the only verdicts)
``hidden``          the hidden cases, one module per question (never shipped, never in a kernel)
``executor``        running the graded notebook with nbclient under time and output limits
``results``         statuses and per-part verdicts
``report``          gradebook.csv, the feedback files and summary.png
``runner``          the whole run: handout, jobs in parallel, progress bar, outputs
``cli``             ``python -m grading`` / ``make grade``
``synthetic``       synthetic submissions for the tests and the benchmark
==================  ================================================================

This package's ``__init__`` imports nothing. No module of it is imported by a grading
kernel: the first cell of a graded notebook carries the source of ``serve`` (and of the
``guard``) itself, so the kernel needs no access to the instructor's files.
"""
