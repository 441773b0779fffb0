"""Companies: master data shared by the CRM and the chain graph."""
