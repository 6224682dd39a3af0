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
``kernel``          what runs inside the grading kernel: visible checks, hidden cases
``hidden``          the hidden cases, one module per question (never shipped)
``executor``        running the graded notebook with nbclient under time and output limits
``results``         statuses and per-part verdicts
``report``          gradebook.csv, the feedback files and summary.png
``runner``          the whole run: handout, jobs in parallel, progress bar, outputs
``cli``             ``python -m grading`` / ``make grade``
``synthetic``       synthetic submissions for the tests and the benchmark
==================  ================================================================

This package's ``__init__`` imports nothing: the grading kernel imports ``grading.kernel``
and ``grading.hidden`` without pulling in the host-side machinery.
"""
