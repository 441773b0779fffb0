"""Industrial chains in the web app: rows → :mod:`chains` records, the chain-gap map, targets, lists.

The engine (top-level :mod:`chains`) knows nothing of the database; this package turns rows into its
records (:mod:`crm.industry.records`), keeps the built model per chain and worker behind the chain's
version stamp (:mod:`crm.industry.cache`), and offers the pages, the target export and "add to
pipeline".
"""
