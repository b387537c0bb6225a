{
    "name": "Support SLA Escalation",
    "summary": "Level 1 / Level 2 escalation, billable Level 2 consulting, "
    "prepaid consulting hours and invoicing of Level 2 work",
    "version": "18.0.1.0.0",
    "category": "After-Sales",
    "author": "Support SLA Contributors",
    "license": "AGPL-3",
    "depends": ["support_sla"],
    "data": [],
    "installable": True,
}
