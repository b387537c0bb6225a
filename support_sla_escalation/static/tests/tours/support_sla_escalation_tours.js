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
