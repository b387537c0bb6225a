import {registry} from "@web/core/registry";

// An agent escalates a Level 1 ticket to Level 2 with the wizard.
registry.category("web_tour.tours").add("support_sla_escalation_agent", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name=support_level]:contains(Level 1)",
        },
        {
            trigger: ".o_form_view button[name=action_open_escalate_wizard]:contains(Escalate)",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=reason_id] input",
            run: "edit Feature",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Feature addition)",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Needs a new export format",
        },
        {
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=support_level]:contains(Level 2)",
        },
        {
            content: "Back to Level 1 offers its own reasons only",
            trigger: ".o_form_view button[name=action_open_escalate_wizard]:contains(Back to Level 1)",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=reason_id] input",
            run: "click",
        },
        {
            trigger:
                ".o-autocomplete--dropdown-menu:not(:has(.o-autocomplete--dropdown-item:contains(Feature addition))) .o-autocomplete--dropdown-item:contains(Wrong level)",
            run: "click",
        },
        {
            trigger: ".modal:not(:has(.o_field_widget[name=billable]))",
        },
        {
            content: "The note is for Level 1 now",
            trigger: ".modal .o_field_widget[name=note] textarea[placeholder*='Level 1 should know']",
            run: "edit Settings fixed, nothing left for Level 2",
        },
        {
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=support_level]:contains(Level 1)",
        },
        {
            trigger: ".o_form_view button[name=action_open_escalate_wizard]:contains(Escalate)",
        },
    ],
});

// A customer asks for an escalation from the portal ticket page.
registry.category("web_tour.tours").add("support_sla_escalation_portal", {
    steps: () => [
        {
            trigger: "form[name=escalate] input#escalation_reason_critical",
            run: "click",
        },
        {
            trigger: "form[name=escalate] textarea[name=note]",
            run: "edit The cave warms up",
        },
        {
            trigger: "form[name=escalate] button[type=submit]",
            run: "click",
        },
        {
            trigger: "[name=support_outcome].alert-success",
        },
        {
            trigger: "[name=support_level]:contains(Level 2)",
        },
        {
            // Ending while the portal chatter still loads its bundle fails the test run.
            content: "Wait for the portal chatter to finish loading",
            trigger: "#chatterRoot:shadow .o-mail-Chatter",
            run: async () => {
                await odoo.portalChatterReady;
            },
        },
    ],
});

// A Billing-only accountant: hours to invoice, consulting order, draft invoices, confirm,
// and a second run that finds nothing left.
registry.category("web_tour.tours").add("support_sla_escalation_accountant", {
    steps: () => [
        {
            content: "Only this tour's customers",
            trigger: "input.o_searchview_input",
            run: "edit Tour",
        },
        {
            trigger: ".o_searchview_autocomplete .o_menu_item:contains(Customer)",
            run: "click",
        },
        {
            trigger: ".o_searchview_facet:contains(Tour)",
        },
        {
            content: "The customer without a consulting order is in red",
            trigger:
                ".o_data_row:has(.o_field_widget[name=consulting_status]:contains(No consulting sale line)) button[name=action_create_consulting_order]",
            run: "click",
        },
        {
            trigger: ".o_notification:contains(consulting sale order)",
        },
        {
            content: "Its hours moved onto the new order",
            trigger:
                ".o_list_view:not(:has(.o_field_widget[name=consulting_status]:contains(No consulting sale line))) .o_data_row .o_field_widget[name=consulting_status]:contains(To invoice)",
        },
        {
            trigger: "thead .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: "button[name=action_create_consulting_invoices]",
            run: "click",
        },
        {
            content: "The draft invoices show their customers",
            trigger: ".o_list_view .o_data_row td[name=invoice_partner_display_name]:contains(Tour Brasserie)",
        },
        {
            trigger: ".o_list_view .o_data_row td[name=invoice_partner_display_name]:contains(Tour Fromagerie)",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_post]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Posted)",
        },
        {
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Level 2 Hours to Invoice)",
            run: "click",
        },
        {
            content: "Show every Level 2 hour, the invoiced ones too",
            trigger: ".o_searchview_facet:contains(To Invoice)",
            run: "hover && click .o_facet_remove",
        },
        {
            trigger: ".o_data_row .o_field_widget[name=consulting_status]:contains(Invoiced)",
        },
        {
            trigger: "thead .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: "button[name=action_create_consulting_invoices]",
            run: "click",
        },
        {
            trigger: ".modal:contains(Nothing left to invoice)",
        },
        {
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});

/**
 * French column headers of the project's lists are read in full (no "F…").
 * Each tour waits for the list's rows, then measures the given columns' headers.
 */
function headersReadInFull(names) {
    return [
        {
            trigger: ".o_list_view .o_data_row",
            run: () => {
                const cut = [];
                for (const name of names) {
                    const label = document.querySelector(
                        `.o_list_view thead th[data-name=${name}] .text-truncate`
                    );
                    if (!label) {
                        throw new Error(`No column ${name}`);
                    }
                    if (label.scrollWidth > label.clientWidth) {
                        cut.push(label.textContent.trim());
                    }
                }
                if (cut.length) {
                    throw new Error(`Headers cut: ${cut.join(", ")}`);
                }
            },
        },
    ];
}

registry.category("web_tour.tours").add("support_sla_escalation_fr_ticket_headers", {
    steps: () =>
        headersReadInFull([
            "support_level",
            "billable",
            "sla_state",
            "sla_response_deadline",
            "sla_response_left",
        ]),
});

registry.category("web_tour.tours").add("support_sla_escalation_fr_escalation_headers", {
    steps: () => headersReadInFull(["from_level", "to_level", "reason_id", "billable", "origin"]),
});

registry.category("web_tour.tours").add("support_sla_escalation_fr_hours_headers", {
    steps: () => [
        ...headersReadInFull(["so_line", "unit_amount", "consulting_status"]),
        {
            content: "The billing status badges are read in full too",
            trigger: ".o_list_view td[name=consulting_status] .badge",
            run: () => {
                const badges = document.querySelectorAll("td[name=consulting_status] .badge");
                const cut = [...badges].filter((badge) => badge.scrollWidth > badge.clientWidth);
                if (cut.length) {
                    throw new Error(`Badges cut: ${cut.map((b) => b.textContent).join(", ")}`);
                }
            },
        },
    ],
});
