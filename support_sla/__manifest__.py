{
    "name": "Support SLA",
    "summary": "Support tiers, customer entitlements, priority matrix and "
    "SLA clocks on working-time calendars for helpdesk tickets",
    "version": "18.0.1.0.0",
    "category": "After-Sales",
    "author": "Support SLA Contributors",
    "license": "AGPL-3",
    "depends": ["helpdesk_mgmt", "resource", "mail", "portal"],
    "data": [],
    "installable": True,
}
