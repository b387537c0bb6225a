{
    "name": "Support SLA Escalation",
    "summary": "Level 1 / Level 2 escalation, billable Level 2 consulting, "
    "prepaid consulting hours and invoicing of Level 2 work",
    "version": "18.0.1.4.0",
    "category": "After-Sales",
    "author": "Support SLA Contributors",
    "license": "AGPL-3",
    "depends": ["support_sla", "helpdesk_mgmt_timesheet_sale"],
    "data": [
        "security/ir.model.access.csv",
        "security/support_sla_escalation_security.xml",
        "data/support_escalation_reason_data.xml",
        "data/product_data.xml",
        "views/support_escalation_reason_views.xml",
        "views/support_escalation_views.xml",
        "views/helpdesk_ticket_team_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/support_entitlement_views.xml",
        "views/account_analytic_line_views.xml",
        "views/account_analytic_line_onsite_views.xml",
        "views/res_config_settings_views.xml",
        "views/helpdesk_ticket_portal_templates.xml",
        "wizards/support_escalate_wizard_views.xml",
        "views/support_sla_escalation_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "support_sla_escalation/static/tests/tours/support_sla_escalation_tours.js",
        ],
    },
    "demo": ["demo/support_sla_escalation_demo.xml"],
    "installable": True,
}
