import {registry} from "@web/core/registry";

/*
 * An agent's path on a new ticket: the priority follows impact x urgency before
 * saving, an override asks for its reason, and the reply records the first response
 * on the form without reloading the page.
 */
registry.category("web_tour.tours").add("support_sla_agent_tour", {
    steps: () => [
        {
            content: "Name the request",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Label printer down",
        },
        {
            content: "Describe it",
            trigger: ".o_field_widget[name=description] .odoo-editor-editable",
            run: "editor The dock printer prints blank labels.",
        },
        {
            content: "Choose the customer's contact",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Contact",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Contact)",
            run: "click",
        },
        {
            content: "The customer's contract applies",
            trigger: ".o_field_widget[name=entitlement_id] input:value(SUP-TOUR)",
        },
        {
            content: "High impact",
            trigger: ".o_field_widget[name=impact] select",
            run: "selectByLabel High",
        },
        {
            content: "High urgency",
            trigger: ".o_field_widget[name=urgency] select",
            run: "selectByLabel High",
        },
        {
            content: "The priority follows the matrix before saving: P1",
            trigger:
                ".o_field_widget[name=priority] .o_priority_star.fa-star[aria-label='P1']",
        },
        {
            trigger:
                ".o_field_widget[name=matrix_priority] .o_priority_star.fa-star[aria-label='P1']",
        },
        {
            content: "Override by hand: P3",
            trigger: ".o_field_widget[name=priority] .o_priority_star[aria-label='P3']",
            run: "click",
        },
        {
            content: "The override asks why",
            trigger: ".o_field_widget[name=priority_overridden] input:checked",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "No saving without a reason",
            trigger: ".o_field_invalid[name=priority_override_reason] input",
            run: "edit Only one printer of ten is affected",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_notebook .nav-link[name=sla]",
            run: "click",
        },
        {
            content: "Saved: the response clock runs",
            trigger: ".o_field_widget[name=sla_response_status] span:contains(Running)",
        },
        {
            content: "Reply to the customer",
            trigger: ".o-mail-Chatter-sendMessage",
            run: "click",
        },
        {
            trigger: ".o-mail-Composer-input",
            run: "edit We are looking at the printer now.",
        },
        {
            trigger: ".o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            trigger: ".o-mail-Message-body:contains(We are looking at the printer now.)",
        },
        {
            content: "The first response is recorded without reloading the page",
            trigger: ".o_field_widget[name=sla_response_status] span:contains(Met)",
        },
        {
            trigger: ".o_field_widget[name=sla_first_response_date]:not(:empty)",
        },
    ],
});
