"""Grading HW 8 submissions: ``python -m grading SUBMISSIONS --out grades`` (``make grade``).

For instructors only; nothing here is part of the student handout. One module per concern:

==================  ================================================================
``points``          the parts and their points (the homework's one table of parts)
``submissions``     reading submitted notebooks (and the older one-folder-per-student finder)
``intake``          the submissions as LMSs hand them out: students, files used and skipped, roster
``policy``          ``grading.toml``: deadline, late policy, partial credit, extensions, points
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
``store``           ``results.json``, every verdict of a run: the one input of the reports
``report``          gradebook.csv, the feedback files and summary.png
``manual``          written answers: grading sheets, the scores CSV, merging it
``exports``         Canvas and Moodle import CSVs, feedback files for LMS bulk upload
``similarity``      the similarity report between submissions (copydetect)
``runner``          the whole run: handout, jobs in parallel, progress bar, outputs
``distributed``     grading on Dask (each submission a task) or in shards
``cli``             ``python -m grading`` / ``make grade``
``synthetic``       synthetic submissions for the tests and the benchmark
==================  ================================================================

This package's ``__init__`` imports nothing. No module of it is imported by a grading
kernel: the first cell of a graded notebook carries the source of ``serve`` (and of the
``guard``) itself, so the kernel needs no access to the instructor's files.
"""
